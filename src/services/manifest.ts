/**
 * The project manifest: export the draft as one document (secret names only),
 * import one to replace the draft in one transaction.
 */
import { z } from "zod";
import { exportManifest as draftManifest, importManifest as replaceDraft, type ManifestDiff } from "../projects/draft";
import type { Manifest } from "../projects/manifest";
import { NotFoundError } from "../errors";
import { canReadDraft, needProductionRead } from "./access";
import { NOTHING_PUBLISHED, productionManifest, READS_ITS_CHANNEL } from "./content-access";
import { CAN, projectOperation, READ_ONLY } from "./operation";

export const exportManifest = projectOperation({
  name: "manifest.export",
  summary: "Export the draft as a project manifest, secret names only (developer); others get the published version's (404 before the first publish)",
  what: "export the manifest",
  input: z.object({}),
  permission: READS_ITS_CHANNEL,
  audit: READ_ONLY,
  run: async (deps, access): Promise<Manifest> => {
    if (canReadDraft(access)) return await draftManifest(deps, access.project.id);
    needProductionRead(access, "export the manifest");
    const live = await productionManifest(deps, access);
    if (!live) throw new NotFoundError(NOTHING_PUBLISHED);
    return live;
  },
});

export const importManifest = projectOperation({
  name: "manifest.import",
  summary: "Replace the draft from a manifest in one transaction; returns the diff (developer)",
  what: "edit the draft",
  // The draft service validates the manifest (zod contract plus JSON Schema compile) inside its transaction.
  input: z.object({ manifest: z.unknown() }),
  permission: CAN.workOnDraft,
  audit: {
    action: "manifest.imported",
    details: (_, d: ManifestDiff) => ({ tools: d.tools, prompts: d.prompts, instructionsChanged: d.instructionsChanged }),
  },
  run: async (deps, access, i): Promise<ManifestDiff> => (await replaceDraft(deps, access.project.id, i.manifest)),
});
