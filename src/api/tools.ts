/**
 * `/api/v1/projects/{org}/{project}/tools|prompts|instructions|manifest`: the draft, as the Tools page edits
 * it. Each route is one content operation run by `invoke` (docs/architecture.md: Service layer): reads
 * answer with the draft for developers (keys: `draft` + `project:write`) and with the published version
 * for everyone else (issue 11 #13); writes need the draft scopes (issue 11 #2).
 */
import { Elysia } from "elysia";
import { z } from "zod";
import type { Deps } from "../deps";
import { ManifestSchema, PromptDefinitionSchema, ToolDefinitionSchema } from "../projects/manifest";
import { invoke } from "../services/operation";
import { getInstructions, setInstructions } from "../services/instructions";
import { exportManifest, importManifest } from "../services/manifest";
import { listPrompts, removePrompt, savePrompt } from "../services/prompts";
import { deleteSecret, secretStatus, setSecret } from "../services/secrets";
import { duplicateTool } from "../services/tool-duplicate";
import { createTool, deleteTool, getTool, listTools, updateTool } from "../services/tools";
import { testRunTool } from "../services/tool-test-run";
import { ValidationError } from "../errors";
import { projectAccessFor } from "./caller";
import { created, doc, noContent, opDoc } from "./doc";

const PatchSchema = z.record(z.string(), z.unknown());

function asObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError("(body): expected a JSON object");
  return body as Record<string, unknown>;
}

/** Draft tools, secrets, instructions and manifest API routes. */
export function toolRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia()
    .get("/projects/:org/:project/tools", async ({ request, params }) => (await invoke(listTools, deps, await access(request, params), {})),
      doc("tools", listTools.summary, {
        description: "`channel` says which: draft (developers; keys need draft + project:write) or production (viewers, read-only keys). `published` is false until the first publish.",
      }))
    .post("/projects/:org/:project/tools", async ({ request, params, body }) => created(await invoke(createTool, deps, await access(request, params), { tool: asObject(body) })),
      doc("tools", "Create a draft tool (developer)", { body: ToolDefinitionSchema }))
    .get("/projects/:org/:project/tools/:name", async ({ request, params }) => (await invoke(getTool, deps, await access(request, params), { name: params.name })),
      doc("tools", getTool.summary))
    .patch("/projects/:org/:project/tools/:name", async ({ request, params, body }) => (await invoke(updateTool, deps, await access(request, params), { name: params.name, changes: asObject(body) })),
      doc("tools", updateTool.summary, { body: PatchSchema }))
    .delete("/projects/:org/:project/tools/:name", async ({ request, params }) => {
      await invoke(deleteTool, deps, await access(request, params), { name: params.name });
      return noContent();
    }, doc("tools", deleteTool.summary))
    .post("/projects/:org/:project/tools/:name/duplicate", async ({ request, params, body }) =>
      created(await invoke(duplicateTool, deps, await access(request, params), { ...asObject(body), name: params.name })), opDoc("tools", duplicateTool))
    .post("/projects/:org/:project/tools/:name/test-run", async ({ request, params, body }) =>
      (await invoke(testRunTool, deps, await access(request, params), { ...asObject(body), name: params.name })), opDoc("tools", testRunTool))
    .get("/projects/:org/:project/tools/:name/secrets", async ({ request, params }) => (await invoke(secretStatus, deps, await access(request, params), { tool: params.name })),
      doc("tools", secretStatus.summary))
    .put("/projects/:org/:project/tools/:name/secrets/:secret", async ({ request, params, body }) => {
      await invoke(setSecret, deps, await access(request, params), { ...asObject(body ?? {}), tool: params.name, name: params.secret });
      return noContent();
    }, doc("tools", setSecret.summary, { body: setSecret.input.omit({ tool: true, name: true }) }))
    .delete("/projects/:org/:project/tools/:name/secrets/:secret", async ({ request, params, query }) => {
      const channel = (query as Record<string, unknown>).channel;
      await invoke(deleteSecret, deps, await access(request, params), { tool: params.name, name: params.secret, ...(channel === undefined ? {} : { channel }) });
      return noContent();
    }, doc("tools", "Remove a secret value of one channel: `?channel=draft` (default; developer) or `production` (admin)"))
    .get("/projects/:org/:project/prompts", async ({ request, params }) => ({ prompts: await invoke(listPrompts, deps, await access(request, params), {}) }),
      doc("tools", listPrompts.summary))
    .put("/projects/:org/:project/prompts/:name", async ({ request, params, body }) => (await invoke(savePrompt, deps, await access(request, params), { ...asObject(body), name: params.name })),
      doc("tools", savePrompt.summary, { body: PromptDefinitionSchema.omit({ name: true }) }))
    .delete("/projects/:org/:project/prompts/:name", async ({ request, params }) => {
      await invoke(removePrompt, deps, await access(request, params), { name: params.name });
      return noContent();
    }, doc("tools", removePrompt.summary))
    .get("/projects/:org/:project/instructions", async ({ request, params }) => ({ instructions: await invoke(getInstructions, deps, await access(request, params), {}) }),
      doc("tools", "The instructions hosts receive in initialize"))
    .put("/projects/:org/:project/instructions", async ({ request, params, body }) => ({ instructions: (await invoke(setInstructions, deps, await access(request, params), body)).instructions }),
      opDoc("tools", setInstructions))
    .get("/projects/:org/:project/manifest", async ({ request, params }) => (await invoke(exportManifest, deps, await access(request, params), {})),
      doc("tools", exportManifest.summary))
    .put("/projects/:org/:project/manifest", async ({ request, params, body }) => ({ diff: await invoke(importManifest, deps, await access(request, params), { manifest: body }) }),
      doc("tools", importManifest.summary, { body: ManifestSchema }));
}
