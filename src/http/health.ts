/** Liveness, readiness (src/http/readiness.ts: the database and the change feed) and static assets. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { pageErrors } from "./errors";
import { ASSETS } from "../web/layout";
import { BUILD } from "../build-info";
import { readiness, readinessChecks } from "./readiness";

export function healthPlugin(deps: Deps) {
  const checks = readinessChecks(deps);
  return new Elysia({ name: "health" })
    // Every plugin owns its errors: Elysia's default handler would answer with the error's message.
    .onError(pageErrors(deps.log))
    .get("/healthz", () => Response.json({ status: "ok", version: BUILD.version, commit: BUILD.commit }))
    .get("/readyz", async () => {
      const report = await readiness(checks);
      return Response.json(report, { status: report.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
    })
    .get("/assets/:file", ({ params }) => {
      const asset = ASSETS[params.file as keyof typeof ASSETS];
      if (!asset) return new Response("not found", { status: 404 });
      return new Response(asset.body, {
        headers: { "content-type": asset.type, "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" },
      });
    });
}
