import { ago, newest, type ClientRule } from "./context";

/** How long after registering (or opening the authorization page) a client is treated as having given up. */
export const ABANDONED_AFTER_MS = 10 * 60_000;

/**
 * A client registered (or opened the authorization page) but no code was ever exchanged: the user closed the
 * window, denied, was refused, or the redirect URI was refused — the rule says which.
 */
export const authorizationAbandoned: ClientRule = (ctx) => {
  const started = newest(ctx.events, (e) => (e.step === "registration" || e.step === "client_metadata" || e.step === "authorize") && e.outcome === "ok")
    ?? newest(ctx.events, (e) => e.step === "authorize");
  if (!started || ctx.now - started.time < ABANDONED_AFTER_MS) return null;
  if (ctx.events.some((e) => (e.step === "token" || e.step === "refresh") && e.outcome === "ok")) return null;
  const last = newest(ctx.events, (e) => e.step === "authorize" || e.step === "consent");
  const since = ago(ctx.now - started.time);
  const why = (fallback: string) => (last?.reason ?? fallback).replace(/\.$/, "");
  const base = { id: "authorization-abandoned", severity: "warning" as const, at: last?.time ?? started.time };
  if (last?.step === "authorize" && last.outcome === "fail" && last.detail.redirectRefused) {
    return {
      ...base,
      severity: "error",
      title: `${ctx.name} started connecting ${since} ago, but Portico refused its redirect URI${last.detail.redirect ? ` ${last.detail.redirect}` : ""}: ${why("it is not registered")}.`,
      fix: "The redirect URI the host sends must be one the app registered, exactly. Remove the server in the host and add it again so it registers afresh; if it still fails, the host's redirect URI is not allowed here.",
    };
  }
  if (last?.step === "authorize" && last.outcome === "fail") {
    return {
      ...base,
      title: `${ctx.name} started connecting ${since} ago, but its authorization request was refused: ${why("invalid request")}.`,
      fix: "Reconnect from the host. If the same error comes back, the host sends a request Portico cannot accept; the reason above says which part.",
    };
  }
  if (last?.step === "consent" && last.outcome === "fail") {
    const denied = last.detail.why === "denied";
    return {
      ...base,
      title: denied
        ? `The user clicked Deny when ${ctx.name} asked for access, ${since} ago.`
        : `${ctx.name} asked for access ${since} ago, but the user signed in with an account that may not use this project (${last.reason ?? "membership or role"}).`,
      fix: denied
        ? "Connect again from the host and click Authorize this time."
        : "Sign in with an account that is a member with the needed role, or have an admin invite the user; then connect again from the host.",
    };
  }
  return {
    ...base,
    title: `${ctx.name} registered ${since} ago but never finished authorizing: the user closed the sign-in window or never approved.`,
    fix: "Connect again from the host and complete the Portico page: sign in and click Authorize.",
  };
};
