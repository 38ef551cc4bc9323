/** `/api/v1/projects/{org}/{project}/publish|rollback|versions`: Publish & history. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { publishOp, PublishSchema, publishView, rollbackOp, RollbackSchema, versionOp } from "../services/publish";
import { NotFoundError } from "../errors";
import { projectAccessFor } from "./caller";
import { created, doc } from "./doc";

/** Publish and history API routes. */
export function publishRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia()
    .get("/projects/:org/:project/versions", ({ request, params }) => {
      const view = publishView(deps, access(request, params));
      return { unpublishedChanges: view.changed, pending: view.pending, versions: view.versions };
    }, doc("publish", "Changes since the newest version, and every version with author, time and diff"))
    .get("/projects/:org/:project/versions/:number", ({ request, params }) => {
      const number = Number(params.number);
      if (!Number.isInteger(number) || number < 1) throw new NotFoundError("Versions are numbered from 1.");
      return versionOp(deps, access(request, params), number);
    }, doc("publish", "One version with its snapshot"))
    .post("/projects/:org/:project/publish", ({ request, params, body }) => created(publishOp(deps, access(request, params), body ?? {})),
      doc("publish", "Publish the draft as a new version and serve it on production (admin)", { body: PublishSchema }))
    .post("/projects/:org/:project/rollback", ({ request, params, body }) => rollbackOp(deps, access(request, params), body),
      doc("publish", "Serve an earlier (or later) version on production (admin)", { body: RollbackSchema }));
}
