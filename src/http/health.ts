/** Liveness, readiness (src/http/readiness.ts: the database and the change feed) and static assets. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { pageErrors } from "./errors";
import { ASSETS } from "../web/layout";
import { BUILD } from "../build-info";
import { readiness, readinessChecks } from "./readiness";

/**
 * The code editor (src/web/editor): ≈ 590 KB of minified CodeMirror, ≈ 200 KB gzipped (measured), so it is
 * loaded on the first request for it and sent compressed to browsers that accept it.
 */
let editor: Promise<{ text: string; gzipped: Uint8Array<ArrayBuffer> }> | null = null;
function editorAsset() {
  editor ??= import("../web/editor/asset").then(({ EDITOR_JS }) => ({ text: EDITOR_JS, gzipped: Bun.gzipSync(EDITOR_JS) as Uint8Array<ArrayBuffer> }));
  return editor;
}

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
    .get("/assets/editor.js", async ({ request }) => {
      const editor = await editorAsset();
      const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
      return new Response(gzip ? editor.gzipped : editor.text, {
        headers: {
          "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff", vary: "accept-encoding",
          ...(gzip ? { "content-encoding": "gzip" } : {}),
        },
      });
    })
    // Browsers and tools that ask for the classic address without reading <link rel=icon> get the same mark.
    .get("/favicon.ico", () => new Response(ASSETS["favicon.svg"].body, { headers: { "content-type": ASSETS["favicon.svg"].type, "cache-control": "public, max-age=86400", "x-content-type-options": "nosniff" } }))
    .get("/assets/:file", ({ params }) => {
      const asset = ASSETS[params.file as keyof typeof ASSETS];
      if (!asset) return new Response("not found", { status: 404 });
      return new Response(asset.body, {
        headers: { "content-type": asset.type, "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" },
      });
    });
}
