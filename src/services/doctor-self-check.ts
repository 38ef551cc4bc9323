/**
 * The connection doctor's self-check as a service (docs/architecture.md: Service layer): the project's MCP URLs
 * and the server's public URL from config, walked by src/doctor/self-check.ts. The JSON API, the
 * `portico_diagnose_connections` management tool and `portico doctor` call it through `diagnoseProject`
 * (src/services/diagnose.ts), so all three show the same checklist.
 */
import type { Deps } from "../deps";
import { runSelfCheck } from "../doctor/self-check";
import type { SelfCheckItem } from "../doctor/report";
import type { ProjectAccess } from "./access";

/** Per request, body included (the whole walk has 10 s): a check must answer within seconds even when the public URL hangs (issue 17). */
export const SELF_CHECK_TIMEOUT_MS = 3000;

/**
 * Fetches the project's own public metadata as a host would and returns the checklist. `access` is narrowed
 * to the org and project: the CLI runs it as the operator on the data dir, with no member to name.
 */
export async function selfCheck(deps: Deps, access: Pick<ProjectAccess, "org" | "project">): Promise<SelfCheckItem[]> {
  return runSelfCheck(
    { publicUrl: deps.config.publicUrl, org: access.org.slug, project: access.project.slug, productionPublic: access.project.visibility === "public" },
    { timeoutMs: SELF_CHECK_TIMEOUT_MS },
  );
}
