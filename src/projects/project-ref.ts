/**
 * The project row an MCP request needs, read on every request with one prepared statement (settings,
 * visibility and the production pin must be current; a point query costs microseconds).
 */
import type { Db } from "../db/client";
import type { Project } from "../db/schema";
import { rawGet, rawQuery } from "../db/raw";

export type ProjectRef = Pick<
  Project,
  "id" | "orgId" | "slug" | "name" | "instructions" | "visibility" | "productionVersionId" | "storePayloads" | "managementTools" | "updatedAt"
> & { orgSlug: string };

const PROJECT_REF = rawQuery<ProjectRef>(
  `SELECT p.id AS "id", p.org_id AS "orgId", p.slug AS "slug", p.name AS "name", p.instructions AS "instructions",
  p.visibility AS "visibility", p.production_version_id AS "productionVersionId",
  p.store_payloads AS "storePayloads", p.management_tools AS "managementTools",
  p.updated_at AS "updatedAt", o.slug AS "orgSlug"
  FROM projects p JOIN orgs o ON o.id = p.org_id WHERE o.slug = ? AND p.slug = ?`,
  { numbers: ["updatedAt"], booleans: ["storePayloads"] },
);

export async function findProjectRef(db: Db, orgSlug: string, projectSlug: string): Promise<ProjectRef | null> {
  return await rawGet(db, PROJECT_REF, [orgSlug, projectSlug]);
}
