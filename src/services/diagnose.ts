/**
 * `doctor.diagnose` (issue 17): the connection doctor's report for one project — what each host did while
 * connecting, the findings about it, and the self-check of the public URL — declared once for the JSON API
 * (`GET …/doctor`), the `portico_diagnose_connections` management tool and `portico doctor`. Reading it needs
 * the same rule as the audit log (developers debug their connections with it; a credential needs `settings`).
 */
import { z } from "zod";
import type { Deps } from "../deps";
import type { DoctorReport, SelfCheckItem } from "../doctor/report";
import type { ProjectAccess } from "./access";
import { READ_AUDIT } from "./audit";
import { diagnoseConnections } from "./doctor";
import { selfCheck } from "./doctor-self-check";
import { projectOperation, READ_ONLY } from "./operation";

/** The report every face shows: the doctor's report and, unless turned off, the self-check's checklist. */
export interface Diagnosis extends DoctorReport {
  /** Null when the caller asked for no self-check (it fetches the public URL, which takes a moment). */
  selfCheck: SelfCheckItem[] | null;
}

export const DiagnoseInputSchema = z.object({
  clientId: z.string().trim().min(1).max(300).optional().describe("only this OAuth client (its client_id)"),
  selfCheck: z.boolean().default(true).describe("also fetch the public URL's metadata as a host would (default true)"),
});

/** The report for `access`'s project; shared by the operation and the CLI's operator run. */
export async function diagnosis(deps: Deps, access: Pick<ProjectAccess, "org" | "project">, input: z.output<typeof DiagnoseInputSchema>): Promise<Diagnosis> {
  // The report first: the self-check's own metadata fetches are handshake steps too, and must not race into
  // the report they are shown beside (they carry SELF_CHECK_USER_AGENT so capture can tell them apart).
  const report = await diagnoseConnections(deps, access, input.clientId === undefined ? {} : { clientId: input.clientId });
  return { ...report, selfCheck: input.selfCheck ? await selfCheck(deps, access) : null };
}

export const diagnoseProject = projectOperation({
  name: "doctor.diagnose",
  summary:
    "Diagnose why a host cannot connect to this project: each client's recent connection steps and findings with fixes, and a self-check of the public URL's metadata",
  what: "read the connection doctor",
  input: DiagnoseInputSchema,
  permission: READ_AUDIT,
  audit: READ_ONLY,
  run: (deps, access, input) => diagnosis(deps, access, input),
});
