/** Publish, roll back and version history, shared by the pages and the API (publishing needs admin). */
import { z } from "zod";
import type { Deps } from "../deps";
import { diffManifests, exportManifest, type ManifestDiff } from "../projects/draft";
import { getVersion, listVersions, publish, rollback, type PublishResult } from "../projects/publish";
import { missingProductionSecrets, type MissingSecret } from "../projects/missing-secrets";
import { NotFoundError } from "../errors";
import { canReadDraft, need, needProductionRead, type ProjectAccess } from "./access";
import { parseInput } from "./input";
import { userEmails } from "./org-events";

/**
 * Publish: an optional note for the history, and `confirm` to publish although some declared secrets
 * have no production value (issue 11 #1; without it such a publish is a 409 naming them). The page's
 * confirmation form posts "yes".
 */
export const PublishSchema = z.object({
  note: z.string().trim().max(500).optional(),
  confirm: z.union([z.boolean(), z.enum(["yes", "true", "on"]).transform(() => true)]).optional(),
});
/** Rollback: the version number to serve. */
export const RollbackSchema = z.object({ number: z.coerce.number().int().positive() });

/** True when a diff has any tool, prompt or instructions change. */
export function hasChanges(diff: ManifestDiff): boolean {
  const t = diff.tools;
  const p = diff.prompts;
  return diff.instructionsChanged || [t.added, t.removed, t.changed, p.added, p.removed, p.changed].some((l) => l.length > 0);
}

/**
 * Declared secrets of the draft's tools that have no production value (names only). Empty for those who
 * may not see the draft: the names would reveal unpublished tools (issue 11 #13).
 */
export function missingSecretsView(deps: Deps, access: ProjectAccess): MissingSecret[] {
  if (!canReadDraft(access)) return [];
  return missingProductionSecrets(deps.db, access.project.id, exportManifest(deps, access.project.id).tools);
}

/**
 * The draft compared with the newest version, and the version history with author emails. Only those who
 * may see the draft get the pending diff (it names unpublished tools); for others it is null (issue 11 #13).
 */
export function publishView(deps: Deps, access: ProjectAccess) {
  const versions = listVersions(deps, access.project.id);
  const emails = userEmails(deps, versions.map((v) => v.authorId));
  let pending: ManifestDiff | null = null;
  if (canReadDraft(access)) {
    const latest = versions[0] ? getVersion(deps, versions[0].id) : null;
    pending = diffManifests(latest?.snapshot ?? null, exportManifest(deps, access.project.id));
    // Instructions are not versioned (they go live at once), so they never count as unpublished.
    pending.instructionsChanged = false;
  } else {
    needProductionRead(access, "read the version history");
  }
  return {
    pending,
    changed: pending ? hasChanges(pending) || versions.length === 0 : null,
    versions: versions.map((v) => ({ ...v, authorEmail: v.authorId ? (emails.get(v.authorId) ?? null) : null })),
  };
}

/** Publishes the draft as the next version (admins). */
export function publishOp(deps: Deps, access: ProjectAccess, input: unknown): PublishResult {
  need(access, "admin", "publish", ["publish"]);
  const { note, confirm } = parseInput(PublishSchema, input ?? {});
  return publish(deps, access.project.id, access.user.id, note || undefined, { confirmMissingSecrets: confirm === true });
}

/** Serves an earlier version on production (admins). */
export function rollbackOp(deps: Deps, access: ProjectAccess, input: unknown) {
  need(access, "admin", "roll back", ["publish"]);
  const { number } = parseInput(RollbackSchema, input);
  return rollback(deps, access.project.id, number, access.user.id);
}

/** One version with its snapshot and author. */
export function versionOp(deps: Deps, access: ProjectAccess, number: number) {
  // Published versions are production content, not the draft: readable by every member (issue 11 #13).
  needProductionRead(access, "read published versions");
  const listed = listVersions(deps, access.project.id).find((v) => v.number === number);
  const version = listed ? getVersion(deps, listed.id) : null;
  if (!listed || !version) throw new NotFoundError(`There is no version ${number} of this project.`);
  const authorEmail = version.authorId ? (userEmails(deps, [version.authorId]).get(version.authorId) ?? null) : null;
  return { ...version, live: listed.live, diff: listed.diff, authorEmail };
}
