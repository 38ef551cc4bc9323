import { newest, type ClientRule } from "./context";

/**
 * A spent refresh token presented again after the 30-second grace window (src/oauth/grant-refresh-token.ts):
 * Portico treats it as stolen and revokes the grant (RFC 9700 §4.14.2).
 */
export const refreshReuse: ClientRule = (ctx) => {
  const reuse = newest(ctx.events, (e) => e.step === "refresh" && e.detail.reuse === "after_grace");
  if (!reuse) return null;
  const reconnected = ctx.events.some((e) => e.step === "token" && e.outcome === "ok" && e.time > reuse.time);
  if (reconnected) return null;
  return {
    id: "refresh-reuse-revoked",
    severity: "error",
    title: `${ctx.name} used an old refresh token again after the 30-second grace window, so Portico revoked its authorization for safety.`,
    fix: "Reconnect the app in the host. If it happens again, the same connection is refreshing from two places (two devices or windows sharing one sign-in): connect each of them separately.",
    at: reuse.time,
  };
};
