/**
 * The two permission rules of the content domain that depend on what the caller may see or which channel
 * they write (docs/architecture.md: Service layer, "where each rule lives"). Every other content operation
 * uses one of `CAN`'s rules as is.
 */
import type { Deps } from "../deps";
import type { Manifest } from "../projects/manifest";
import { getVersion } from "../projects/publish";
import type { Permission } from "./operation";
import type { ProjectAccess } from "./access";

/**
 * Reads that answer with the channel the caller may see: the draft for those who may read it
 * (`canReadDraft`), what production serves for everyone else (`needProductionRead`, issue 11 #13). Any
 * member passes the gate; the operation's `run` picks the view and checks it, so a draft-only key still
 * reads the draft and a production-only key still reads production.
 */
export const READS_ITS_CHANNEL = { role: "viewer", scopes: [] } as const satisfies Permission;

/**
 * Writes whose rule depends on the channel named in the input (secret values): draft
 * values are draft work, production values are `settings` work (issue 11 #1). Developers pass the gate;
 * the operation's `run` applies the channel's rule.
 */
export const WRITES_A_CHANNEL = { role: "developer", scopes: [] } as const satisfies Permission;

/** The manifest production serves, or null when nothing is published yet. */
export async function productionManifest(deps: Deps, access: ProjectAccess): Promise<Manifest | null> {
  const id = access.project.productionVersionId;
  return id ? ((await getVersion(deps, id))?.snapshot ?? null) : null;
}

export const NOTHING_PUBLISHED = "Nothing is published yet: only developers and above can see the unpublished draft.";
