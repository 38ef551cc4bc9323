import { ago, newest, type ClientRule } from "./context";

/** How long after its tokens a host should have made its first authenticated MCP call. */
export const NEVER_USED_AFTER_MS = 5 * 60_000;

/**
 * Tokens issued, then no authenticated MCP call for NEVER_USED_AFTER_MS: a known host behaviour (the host
 * keeps the token but sends requests without it, often after a restart or a failed reconnect).
 */
export const tokenNeverUsed: ClientRule = (ctx) => {
  const issued = newest(ctx.events, (e) => (e.step === "token" || e.step === "refresh") && e.outcome === "ok");
  if (!issued || ctx.now - issued.time < NEVER_USED_AFTER_MS) return null;
  const usedAfter = ctx.events.some((e) => e.step === "mcp" && e.outcome === "ok" && e.time >= issued.time);
  const grantUsed = ctx.grants.some((g) => g.lastUsedAt !== null && g.lastUsedAt >= issued.time);
  const revoked = ctx.grants.length > 0 && ctx.grants.every((g) => g.revokedAt !== null);
  if (usedAfter || grantUsed || revoked) return null;
  // Calls without a usable token since then are most likely this host's (the 401s cannot name a client).
  const tokenless = ctx.unauthenticated.some((e) => e.time >= issued.time);
  return {
    id: "token-never-used",
    severity: "warning",
    title: `${ctx.name} got a token ${ago(ctx.now - issued.time)} ago but has never used it to call this server.${tokenless ? " Calls without a valid token arrived since, most likely from this host." : ""}`,
    fix: "This is a known host behaviour: the host finished signing in but keeps calling without the token. Remove the server in the host and add it again (reconnect), then try a tool.",
    at: issued.time,
  };
};
