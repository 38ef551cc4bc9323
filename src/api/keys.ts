/** `/api/v1/projects/{org}/{project}/keys`: API keys (the secret is in the create response only). */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { invoke } from "../services/operation";
import { createKey, listKeys, revokeKey } from "../services/keys";
import { projectAccessFor } from "./caller";
import { created, doc, noContent, opDoc } from "./doc";

/** API key routes. */
export function keyRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia()
    .get("/projects/:org/:project/keys", async ({ request, params }) => ({ keys: await invoke(listKeys, deps, await access(request, params), {}) }),
      doc("keys", listKeys.summary))
    .post("/projects/:org/:project/keys", async ({ request, params, body }) => {
      const { id, key } = await invoke(createKey, deps, await access(request, params), body);
      return created({ id, key });
    }, opDoc("keys", createKey))
    .delete("/projects/:org/:project/keys/:id", async ({ request, params }) => {
      await invoke(revokeKey, deps, await access(request, params), { id: params.id });
      return noContent();
    }, doc("keys", revokeKey.summary));
}
