/** `/api/v1/projects/{org}/{project}/keys`: API keys (the secret is in the create response only). */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { createKeyOp, CreateKeySchema, listKeysOp, revokeKeyOp } from "../services/keys";
import { projectAccessFor } from "./caller";
import { created, doc, noContent } from "./doc";

/** API key routes. */
export function keyRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia()
    .get("/projects/:org/:project/keys", ({ request, params }) => ({ keys: listKeysOp(deps, access(request, params)) }),
      doc("keys", "List API keys with last use (no secrets)"))
    .post("/projects/:org/:project/keys", ({ request, params, body }) => created(createKeyOp(deps, access(request, params), body)),
      doc("keys", "Create an API key acting with your role; `key` is returned only here (admin)", { body: CreateKeySchema }))
    .delete("/projects/:org/:project/keys/:id", ({ request, params }) => {
      revokeKeyOp(deps, access(request, params), params.id);
      return noContent();
    }, doc("keys", "Revoke an API key at once (admin)"));
}
