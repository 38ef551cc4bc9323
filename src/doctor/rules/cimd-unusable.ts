import { newest, type ClientRule } from "./context";

/** The client's metadata document (CIMD) could not be fetched or was invalid, and no usable copy existed. */
export const cimdUnusable: ClientRule = (ctx) => {
  const e = newest(ctx.events, (x) => x.step === "client_metadata");
  if (!e || e.outcome !== "fail") return null;
  const url = typeof e.detail.metadataUrl === "string" ? e.detail.metadataUrl : (ctx.clientId ?? "its metadata URL");
  // A failed refetch with an earlier good copy still works for now: a warning, not an error.
  const copy = typeof e.detail.fetch === "string" && e.detail.fetch.includes("copy used");
  return {
    id: "cimd-unusable",
    severity: copy ? "warning" : "error",
    title: copy
      ? `Portico could not refresh ${ctx.name}'s metadata document at ${url} (${e.reason ?? "the fetch failed"}) and is using an earlier copy.`
      : `Portico could not use ${ctx.name}'s metadata document at ${url}: ${e.reason ?? "the fetch failed"}.`,
    fix: `The document must be served at ${url} over https as JSON (HTTP 200, at most 5 KB, within 5 seconds) with client_id equal to that URL. If the app is yours, fix the document; otherwise tell its publisher, or use a host that registers itself.`,
    at: e.time,
  };
};
