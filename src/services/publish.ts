/**
 * Publish, roll back and version history as operations (publishing needs admin). The
 * note is trimmed on every face (the API once trimmed it and the management tool did not); an empty
 * note is no note.
 */
import { z } from "zod";
import type { Deps } from "../deps";
import { exportManifest } from "../projects/draft";
import { diffManifests, hasChanges, type ManifestDiff } from "../projects/manifest-diff";
import { getVersion, listVersions, publish, publishEventDetails, rollback, type PublishResult } from "../projects/publish";
import { missingProductionSecrets, type MissingSecret } from "../projects/missing-secrets";
import { NotFoundError } from "../errors";
import { canReadDraft, needProductionRead, type ProjectAccess } from "./access";
import { READS_ITS_CHANNEL } from "./content-access";
import { CAN, projectOperation, READ_ONLY } from "./operation";
import { userEmails } from "./org-events";

export { hasChanges };

/**
 * Publish: an optional note for the history, and `confirm` to publish although some declared secrets
 * have no production value (issue 11 #1; without it such a publish is a 409 naming them). The page's
 * confirmation form posts "yes".
 */
export const PublishSchema = z.object({
  note: z.string().trim().max(500).optional(),
  confirm: z.union([z.boolean(), z.enum(["yes", "true", "on"]).transform(() => true)]).optional(),
});
/**
 * Rollback: the number of the version to serve. One name on every face — the API, the page form and the
 * management tool all say `number`, as versions do everywhere else (the tool once said `version`).
 */
export const RollbackSchema = z.object({ number: z.coerce.number().int().positive().describe("The version number to serve") });

/**
 * Declared secrets of the draft's tools that have no production value (names only). Empty for those who
 * may not see the draft: the names would reveal unpublished tools (issue 11 #13).
 */
export async function missingSecretsView(deps: Deps, access: ProjectAccess): Promise<MissingSecret[]> {
  if (!canReadDraft(access)) return [];
  return await missingProductionSecrets(deps.db, access.project.id, (await exportManifest(deps, access.project.id)).tools);
}

/**
 * The draft compared with the version production serves (after a rollback, not the newest one: issue
 * 16 #5), and the version history with author emails. Only those who may see the draft get the pending
 * diff (it names unpublished tools); for others it is null (issue 11 #13). `serving` is the number
 * production serves and `newest` the newest number (both null before the first publish).
 */
export async function publishView(deps: Deps, access: ProjectAccess) {
  const versions = await listVersions(deps, access.project.id);
  const emails = await userEmails(deps, versions.map((v) => v.authorId));
  const live = versions.find((v) => v.live) ?? null;
  let pending: ManifestDiff | null = null;
  if (canReadDraft(access)) {
    const serving = live ? (await getVersion(deps, live.id)) : null;
    pending = diffManifests(serving?.snapshot ?? null, await exportManifest(deps, access.project.id));
  } else {
    needProductionRead(access, "read the version history");
  }
  return {
    pending,
    changed: pending ? hasChanges(pending) || versions.length === 0 : null,
    serving: live?.number ?? null,
    newest: versions[0]?.number ?? null,
    versions: versions.map((v) => ({ ...v, authorEmail: v.authorId ? (emails.get(v.authorId) ?? null) : null })),
  };
}

/** The version history with the pending diff (for those who may see the draft). */
export const viewPublish = projectOperation({
  name: "publish.view",
  summary: "Changes since the newest version, and every version with author, time and diff",
  what: "read the version history",
  input: z.object({}),
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: async (deps, access) => (await publishView(deps, access)),
});

const versionTarget = (o: { versionId: string }) => ({ type: "version", id: o.versionId });

/** Publishes the draft as the next version and serves it on production (admins). */
export const publishDraft = projectOperation({
  name: "publish.publish",
  summary: "Publish the draft as a new version and serve it on production (admin). Refused when the draft matches the version production serves, and, naming them, while declared secrets have no production value unless confirm is true",
  what: "publish",
  input: PublishSchema,
  permission: CAN.publish,
  audit: { action: "project.publish", target: (_, o: PublishResult) => versionTarget(o), details: (_, o: PublishResult) => publishEventDetails(o) },
  run: async (deps, access, i): Promise<PublishResult> =>
    (await publish(deps, access.project.id, access.user.id, i.note || undefined, { confirmMissingSecrets: i.confirm === true, recordEvent: false })),
});

/** What every face answers after a publish (the audit-only list of confirmed missing secrets stays out). */
export const publishedJson = ({ versionId, number, diff }: PublishResult) => ({ versionId, number, diff });

/** Serves an earlier (or later) published version on production (admins). */
export const rollbackVersion = projectOperation({
  name: "publish.rollback",
  summary: "Serve an earlier (or later) published version on production (admin)",
  what: "roll back",
  input: RollbackSchema,
  permission: CAN.publish,
  audit: { action: "project.rollback", target: (_, o: { versionId: string; number: number }) => versionTarget(o), details: (i) => ({ number: i.number }) },
  run: async (deps, access, i) => (await rollback(deps, access.project.id, i.number, access.user.id, { recordEvent: false })),
});

/** One version with its snapshot and author. */
export const getPublishedVersion = projectOperation({
  name: "publish.version",
  summary: "One published version with its snapshot",
  what: "read published versions",
  input: z.object({ number: z.coerce.number().int().positive() }),
  // Published versions are production content, not the draft: readable by every member (issue 11 #13).
  permission: CAN.readProduction,
  audit: READ_ONLY,
  run: async (deps, access, i) => {
    needProductionRead(access, "read published versions");
    const listed = (await listVersions(deps, access.project.id)).find((v) => v.number === i.number);
    const version = listed ? (await getVersion(deps, listed.id)) : null;
    if (!listed || !version) throw new NotFoundError(`There is no version ${i.number} of this project.`);
    const authorEmail = version.authorId ? ((await userEmails(deps, [version.authorId])).get(version.authorId) ?? null) : null;
    return { ...version, live: listed.live, diff: listed.diff, authorEmail };
  },
});
