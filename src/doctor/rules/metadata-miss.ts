import { newest, type ProjectRule } from "./context";

/**
 * A host asked for a well-known document at a path Portico does not serve for this project (RFC 9728 §3.1
 * puts the resource's path after `/.well-known/oauth-protected-resource`): it was most likely given a
 * wrong or extended URL.
 */
export const metadataMiss: ProjectRule = (ctx) => {
  const e = newest(ctx.events, (x) => x.step === "metadata_miss");
  if (!e) return null;
  const draft = typeof e.detail.path === "string" && /\/draft(\/|$)/.test(e.detail.path);
  const url = draft ? ctx.urls.draft : ctx.urls.production;
  return {
    id: "metadata-path-not-served",
    severity: "warning",
    title: `A host asked for ${e.detail.path ?? "a metadata document"}, which Portico does not serve: it was probably given a wrong URL for this project.`,
    fix: `Paste exactly ${url} into the host (nothing added after it), then connect again.`,
    at: e.time,
  };
};
