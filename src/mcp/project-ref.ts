/**
 * The project row an MCP request needs, read on every request with one prepared statement (settings,
 * visibility and the production pin must be current; a point query costs microseconds).
 */
import type { Db } from "../db/client";
import type { Project } from "../db/schema";

export type ProjectRef = Pick<
  Project,
  "id" | "orgId" | "slug" | "name" | "instructions" | "visibility" | "productionVersionId" | "storePayloads" | "managementTools" | "updatedAt"
> & { orgSlug: string };

const SQL = `SELECT p.id, p.org_id AS orgId, p.slug, p.name, p.instructions, p.visibility, p.production_version_id AS productionVersionId,
  p.store_payloads AS storePayloads, p.management_tools AS managementTools,
  p.updated_at AS updatedAt, o.slug AS orgSlug
  FROM projects p JOIN orgs o ON o.id = p.org_id WHERE o.slug = ? AND p.slug = ?`;

type RawRef = Omit<ProjectRef, "storePayloads"> & { storePayloads: number };

export function findProjectRef(db: Db, orgSlug: string, projectSlug: string): ProjectRef | null {
  const row = db.$client.query<RawRef, [string, string]>(SQL).get(orgSlug, projectSlug);
  if (!row) return null;
  return { ...row, storePayloads: row.storePayloads === 1 };
}
