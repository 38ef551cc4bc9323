import { newest, type ClientRule } from "./context";

/**
 * A token for one channel sent to the other (RFC 8707: the audience is the exact channel URL, so a draft token
 * never works on production and vice versa; src/oauth/bearer.ts).
 */
export const audienceMixup: ClientRule = (ctx) => {
  const e = newest(ctx.events, (x) => x.step === "mcp" && x.outcome === "fail" && x.detail.why === "audience");
  if (!e) return null;
  const channel = e.detail.channel === "draft" ? "draft" : "production";
  const tokenFor = e.detail.tokenFor;
  const other = channel === "draft" ? "production" : "draft";
  const mixup = tokenFor === other;
  return {
    id: mixup ? "draft-production-mixup" : "wrong-audience",
    severity: "error",
    title: mixup
      ? `${ctx.name} sent a token issued for the ${other} server to the ${channel} URL; draft and production are separate servers with separate sign-ins.`
      : `${ctx.name} sent a token issued for another MCP server to this ${channel} URL.`,
    fix: `In the host, connect the URL you mean to use — ${ctx.urls[channel]} for ${channel} — and sign in for it; keep one connection per URL.`,
    at: e.time,
  };
};
