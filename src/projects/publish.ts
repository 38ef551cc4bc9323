/**
 * The production channel (docs/architecture.md: Channels, Public project): atomic publish of the whole draft into an
 * immutable numbered version, rollback by re-pinning, history, and who may reach it without a token.
 * The service operations (src/services/publish.ts, src/services/projects.ts) call these functions, and so do
 * callers without a signed-in actor (the CLI operator's `publish` without `--as`, the demo seed); each
 * emits `toolsChanged` for production (open sessions get `list_changed`). The org audit event is written
 * here, in the same transaction, unless the caller is an operation that records its own through `invoke`
 * (`recordEvent: false`, docs/architecture.md: Service layer).
 */
import { and, desc, eq } from "drizzle-orm";
import { recordOrgEvent } from "../audit/org-audit";
import type { Db } from "../db/client";
import type { Deps } from "../deps";
import { VISIBILITIES, type Project, type Version } from "../db/schema";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { newId } from "../lib/ids";
import { exportManifest } from "./draft";
import { diffManifests, hasChanges, type ManifestDiff } from "./manifest-diff";
import type { VersionSnapshot } from "./manifest";
import { MissingProductionSecretsError, missingProductionSecrets, type MissingSecret } from "./missing-secrets";
import { getProjectById } from "./projects";
import { first, laterThan, transaction } from "../db/query";

type PublishDeps = Pick<Deps, "db" | "bus" | "clock">;

export interface PublishResult {
  versionId: string;
  number: number;
  diff: ManifestDiff;
  /** Declared secrets that had no production value when the publish was confirmed anyway (names only). */
  confirmedMissingSecrets: MissingSecret[];
}

/** A publish refused because the draft matches the version production serves (issue 16 #5). */
export class NothingToPublishError extends ConflictError {
  constructor(readonly serving: { versionId: string; number: number }) {
    super(`Nothing to publish: the draft matches version ${serving.number}, which production serves.`);
  }
}

/** Whether these functions write the org audit event themselves (false when an operation records it). */
export interface AuditOption {
  recordEvent?: boolean;
}

/** The org audit details of a publish (names and counts only). */
export function publishEventDetails(r: PublishResult): Record<string, unknown> {
  return { number: r.number, tools: r.diff.tools, ...(r.confirmedMissingSecrets.length > 0 ? { confirmedMissingSecrets: r.confirmedMissingSecrets } : {}) };
}

async function bump(deps: PublishDeps, projectId: string, patch: Partial<Project>, now: number): Promise<void> {
  const { projects } = deps.db.t;
  await deps.db.update(projects).set({ ...patch, updatedAt: laterThan(projects.updatedAt, now) }).where(eq(projects.id, projectId));
}

/** How a publish was asked for. */
export interface PublishOptions extends AuditOption {
  /** Publish even though some declared secrets have no production value (issue 11 #1). */
  confirmMissingSecrets?: boolean;
}

/**
 * Snapshots every draft tool (with UI HTML) and prompt into version N+1 and pins production to it.
 * Throws MissingProductionSecretsError (409) when a declared secret has no production value, unless
 * `confirmMissingSecrets`: publishing never copies values, so those calls would fail (issue 11 #1).
 */
export async function publish(deps: PublishDeps, projectId: string, actorId: string | null, note?: string, options: PublishOptions = {}): Promise<PublishResult> {
  // One transaction (IMMEDIATE on SQLite: the write lock first, so a CLI writing concurrently cannot
  // interleave); on SQLite, queries through deps.db inside the body are part of it too.
  const result = await transaction(deps.db, async (tx) => {
      const { releases, versions } = tx.t;
      const project = await getProjectById(deps.db, projectId);
      const snapshot: VersionSnapshot = await exportManifest(deps, projectId);
      const previous = await first(tx.select().from(versions).where(eq(versions.projectId, projectId)).orderBy(desc(versions.number)).limit(1));
      // The diff is against what production serves — after a rollback that is not the newest version —
      // and an unchanged draft is refused: it would only make an empty version (issue 16 #5).
      const serving = project.productionVersionId ? (await productionSnapshot(deps, project.productionVersionId)) : null;
      const diff = diffManifests(serving?.snapshot ?? null, snapshot);
      if (serving && !hasChanges(diff)) {
        throw new NothingToPublishError({ versionId: project.productionVersionId!, number: serving.number });
      }
      const missing = await missingProductionSecrets(deps.db, projectId, snapshot.tools);
      if (missing.length > 0 && !options.confirmMissingSecrets) throw new MissingProductionSecretsError(missing);
      const number = (previous?.number ?? 0) + 1;
      const now = deps.clock.now();
      const versionId = newId("ver");
      await tx.insert(versions).values({ id: versionId, projectId, number, snapshot, diff, note: note?.slice(0, 500) ?? null, authorId: actorId, createdAt: now });
      await tx.insert(releases).values({ id: newId("rel"), projectId, versionId, action: "publish", actorId, createdAt: await releaseTime(tx, projectId, now) });
      await bump(deps, projectId, { productionVersionId: versionId }, now);
      const published = { versionId, number, diff, confirmedMissingSecrets: missing };
      if (options.recordEvent !== false) {
        await recordOrgEvent(deps.db, { orgId: project.orgId, actorId, action: "project.publish", targetType: "version", targetId: versionId, projectId, details: publishEventDetails(published), time: now });
      }
      return published;
    });
  deps.bus.emit("toolsChanged", { projectId, channel: "production" });
  return result;
}

/** The snapshot and number of the version production serves. */
async function productionSnapshot(deps: Pick<Deps, "db">, versionId: string): Promise<{ number: number; snapshot: VersionSnapshot } | null> {
  const { versions } = deps.db.t;
  const row = await first(deps.db.select({ number: versions.number, snapshot: versions.snapshot }).from(versions).where(eq(versions.id, versionId)));
  return row ? { number: row.number, snapshot: row.snapshot as VersionSnapshot } : null;
}

/** Re-pins production to an earlier (or later) published version. */
export async function rollback(deps: PublishDeps, projectId: string, number: number, actorId: string | null, options: AuditOption = {}): Promise<{ versionId: string; number: number }> {
  const { versions } = deps.db.t;
  const project = await getProjectById(deps.db, projectId);
  const version = await first(deps.db.select({ id: versions.id }).from(versions).where(and(eq(versions.projectId, projectId), eq(versions.number, number))));
  if (!version) throw new NotFoundError(`There is no version ${number} of this project.`);
  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
        const { releases } = tx.t;
        await bump(deps, projectId, { productionVersionId: version.id }, now);
        await tx.insert(releases).values({ id: newId("rel"), projectId, versionId: version.id, action: "rollback", actorId, createdAt: await releaseTime(tx, projectId, now) });
        if (options.recordEvent !== false) {
          await recordOrgEvent(deps.db, { orgId: project.orgId, actorId, action: "project.rollback", targetType: "version", targetId: version.id, projectId, details: { number }, time: now });
        }
      });
  deps.bus.emit("toolsChanged", { projectId, channel: "production" });
  return { versionId: version.id, number };
}

/** Versions newest first, without snapshots; `live` marks the one production serves. */
export async function listVersions(deps: Pick<Deps, "db">, projectId: string) {
  const { versions } = deps.db.t;
  const project = await getProjectById(deps.db, projectId);
  return (await deps.db
      .select({ id: versions.id, number: versions.number, note: versions.note, authorId: versions.authorId, createdAt: versions.createdAt, diff: versions.diff })
      .from(versions)
      .where(eq(versions.projectId, projectId))
      .orderBy(desc(versions.number)))
    .map((v) => ({ ...v, diff: v.diff as ManifestDiff, live: v.id === project.productionVersionId }));
}

/** Publish and rollback history, newest first. */
/**
 * A release's time: `now`, or one past the project's newest release when that is not earlier — so the history
 * (ordered by time) keeps the order releases happened in even within one millisecond (their ids are random).
 */
async function releaseTime(tx: Db, projectId: string, now: number): Promise<number> {
  const { releases } = tx.t;
  const last = await first(tx.select({ at: releases.createdAt }).from(releases).where(eq(releases.projectId, projectId)).orderBy(desc(releases.createdAt)).limit(1));
  return last && last.at >= now ? last.at + 1 : now;
}

export async function listReleases(deps: Pick<Deps, "db">, projectId: string) {
  const { releases, versions } = deps.db.t;
  return await deps.db
      .select({ action: releases.action, actorId: releases.actorId, createdAt: releases.createdAt, number: versions.number, versionId: versions.id })
      .from(releases)
      .innerJoin(versions, eq(versions.id, releases.versionId))
      .where(eq(releases.projectId, projectId))
      .orderBy(desc(releases.createdAt), desc(releases.id));
}

/** One version with its snapshot, or null. */
export async function getVersion(deps: Pick<Deps, "db">, versionId: string): Promise<(Version & { snapshot: VersionSnapshot }) | null> {
  const { versions } = deps.db.t;
  const row = await first(deps.db.select().from(versions).where(eq(versions.id, versionId)));
  return row ? { ...row, snapshot: row.snapshot as VersionSnapshot } : null;
}

/**
 * Makes production answer without a token (`public`) or not (`private`); the draft stays private either
 * way. Org-audited, since it changes who can call the project's tools.
 */
export async function setVisibility(deps: PublishDeps, projectId: string, visibility: (typeof VISIBILITIES)[number], actorId: string | null, options: AuditOption = {}): Promise<Project> {
  if (!VISIBILITIES.includes(visibility)) throw new ValidationError(`visibility: must be one of ${VISIBILITIES.join(", ")}`);
  const project = await getProjectById(deps.db, projectId);
  if (project.visibility !== visibility) {
    const now = deps.clock.now();
    await bump(deps, projectId, { visibility }, now);
    if (options.recordEvent !== false) await recordOrgEvent(deps.db, {
          orgId: project.orgId, actorId, action: "project.visibility", targetType: "project", targetId: projectId, projectId,
          details: { from: project.visibility, to: visibility }, time: now,
        });
  }
  return getProjectById(deps.db, projectId);
}
