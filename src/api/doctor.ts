/**
 * `/api/v1/projects/{org}/{project}/doctor`: the connection doctor's report (issue 17) — each client's recent
 * connection steps and findings, and the self-check of the public URL — the `doctor.diagnose` operation.
 */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { diagnoseProject } from "../services/diagnose";
import { invoke } from "../services/operation";
import { projectAccessFor } from "./caller";
import { doc } from "./doc";

const QUERY =
  "Query: client (an OAuth client_id: only that client), selfCheck=false (skip fetching the public URL's metadata; it takes up to a few seconds when the URL does not answer). " +
  "The answer: publicUrl, projectFindings, clients (newest activity first, each with findings and events, newest first) and selfCheck (a checklist of { id, ok, title, detail }, or null).";

/** Connection doctor API route. */
export function doctorRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia().get(
    "/projects/:org/:project/doctor",
    async ({ request, params, query }) => {
      const q = query as Record<string, string | undefined>;
      const input = { clientId: q.client === "" ? undefined : q.client, selfCheck: q.selfCheck === undefined ? undefined : q.selfCheck !== "false" };
      return await invoke(diagnoseProject, deps, await access(request, params), input);
    },
    doc("doctor", `${diagnoseProject.summary} (developer; an API key needs settings)`, { description: QUERY }),
  );
}
