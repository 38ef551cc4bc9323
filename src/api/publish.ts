/** `/api/v1/projects/{org}/{project}/publish|rollback|versions`: Publish & history, one operation per route. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { invoke } from "../services/operation";
import { getPublishedVersion, publishDraft, publishedJson, rollbackVersion, viewPublish } from "../services/publish";
import { NotFoundError } from "../errors";
import { projectAccessFor } from "./caller";
import { created, doc, opDoc } from "./doc";

/** Publish and history API routes. */
export function publishRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia()
    .get("/projects/:org/:project/versions", async ({ request, params }) => {
      const view = await invoke(viewPublish, deps, await access(request, params), {});
      return { unpublishedChanges: view.changed, pending: view.pending, serving: view.serving, newest: view.newest, versions: view.versions };
    }, doc("publish", "Changes since the version production serves, the number it serves and the newest, and every version with author, time and diff"))
    .get("/projects/:org/:project/versions/:number", async ({ request, params }) => {
      const number = Number(params.number);
      if (!Number.isInteger(number) || number < 1) throw new NotFoundError("Versions are numbered from 1.");
      return await invoke(getPublishedVersion, deps, await access(request, params), { number });
    }, doc("publish", "One version with its snapshot"))
    .post("/projects/:org/:project/publish", async ({ request, params, body }) => created(publishedJson(await invoke(publishDraft, deps, await access(request, params), body ?? {}))),
      doc("publish", "Publish the draft as a new version and serve it on production (admin)", { body: publishDraft.input }))
    .post("/projects/:org/:project/rollback", async ({ request, params, body }) => (await invoke(rollbackVersion, deps, await access(request, params), body)),
      opDoc("publish", rollbackVersion));
}
