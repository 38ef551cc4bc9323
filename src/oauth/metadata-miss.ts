/**
 * Well-known documents asked for at a path Portico does not serve (issue 17): a host given a wrong or extended
 * URL asks for `/.well-known/oauth-protected-resource/{org}/{project}/extra` or `/{org}/{project}/.well-known/…`
 * and gets a 404 it reports as "authorization failed". When the path names an existing project, the
 * connection doctor records a `metadata_miss` there with the path, so the Server page can say which URL to
 * paste. At most once a minute per project and path: anonymous 404s must not become a stream of writes.
 */
import type { Deps } from "../deps";
import { recordHandshake, requestDetail } from "../doctor/handshake";
import { findProject } from "../projects/projects";

const RECORD_MS = 60_000;
const WELL_KNOWN = "/.well-known/";

/** The org and project slugs a well-known path names, either after the document name or before `/.well-known/`. */
export function projectNamedBy(path: string): { org: string; project: string } | null {
  const at = path.indexOf(WELL_KNOWN);
  if (at < 0) return null;
  const before = path.slice(0, at).split("/").filter(Boolean);
  if (before.length >= 2) return { org: before[0]!, project: before[1]! };
  const after = path.slice(at + WELL_KNOWN.length).split("/").filter(Boolean);
  // after[0] is the document name (oauth-protected-resource, openid-configuration, …).
  if (after.length >= 3) return { org: after[1]!, project: after[2]! };
  return null;
}

/** Records a 404 on a well-known path naming a project (called by the app-level 404 handler). */
export async function recordMetadataMiss(deps: Deps, request: Request): Promise<void> {
  if (request.method !== "GET") return;
  const path = new URL(request.url).pathname.slice(0, 300);
  const named = projectNamedBy(path);
  if (!named) return;
  const seen = deps.oauth.refusalRecordedAt;
  const key = `miss:${path}`;
  const now = deps.clock.now();
  if (now - (seen.get(key) ?? 0) < RECORD_MS) return;
  const found = await findProject(deps.db, named.org, named.project);
  if (!found) return;
  if (seen.size >= 50_000) seen.clear();
  seen.set(key, now);
  await recordHandshake(deps.db, { projectId: found.project.id, step: "metadata_miss", outcome: "fail", reason: "no document at this path (404)", detail: { ...requestDetail(request), status: 404 } }, now);
}
