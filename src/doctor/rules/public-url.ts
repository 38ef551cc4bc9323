/** Rules about the public URL itself (docs/architecture.md: Connection doctor; src/lib/hosted-reach.ts). */
import { newest, type ProjectRule } from "./context";

/**
 * Requests arrive as `http://…` while the public URL is `https://…`: a proxy that does not say it
 * terminated TLS, or hosts that were given a plain-http address. Issuer and resource URLs then disagree
 * with what the host fetched, and hosts refuse the metadata.
 */
export const publicUrlSchemeMismatch: ProjectRule = (ctx) => {
  if (!ctx.publicUrl.startsWith("https://")) return null;
  const e = newest(ctx.events, (x) => typeof x.detail.seen === "string" && x.detail.seen.startsWith("http://"));
  if (!e) return null;
  return {
    id: "public-url-scheme-mismatch",
    severity: "error",
    title: `Requests arrive for ${e.detail.seen} while the public URL is ${ctx.publicUrl}: hosts see addresses that do not match the ones Portico advertises.`,
    fix: `Give hosts the https address (${ctx.urls.production}). If Portico runs behind a proxy, have it send X-Forwarded-Proto: https; if the public address really is different, set PORTICO_PUBLIC_URL to it and restart.`,
    at: e.time,
  };
};

/** A non-443 port in the public URL: hosted hosts (Claude, ChatGPT) connect only to https on port 443. */
export const publicUrlPort: ProjectRule = (ctx) => {
  let url: URL;
  try {
    url = new URL(ctx.publicUrl);
  } catch {
    return null;
  }
  if (url.port === "") return null;
  return {
    id: "public-url-port",
    severity: "warning",
    title: `The public URL ${ctx.publicUrl} uses port ${url.port}; hosted apps such as Claude and ChatGPT connect only to https on port 443.`,
    fix: `Serve Portico at https://${url.hostname} (port 443), for example behind a reverse proxy, and set PORTICO_PUBLIC_URL to that address. Hosts running on your own computer can still use port ${url.port}.`,
    at: ctx.now,
  };
};
