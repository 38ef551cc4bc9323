/**
 * `/api/v1/projects/{org}/{project}/tools|instructions|manifest`: the draft, as the Tools page edits it.
 * Reads answer with the draft for developers (keys: `draft` + `project:write`) and with the published
 * version for everyone else (issue 11 #13); writes need the draft scopes (issue 11 #2).
 */
import { Elysia } from "elysia";
import { z } from "zod";
import type { Deps } from "../deps";
import { ManifestSchema, PromptDefinitionSchema, ToolDefinitionSchema } from "../projects/manifest";
import {
  createToolOp, deletePromptOp, deleteToolOp, exportManifestOp, getToolOp, importManifestOp, instructionsOp, InstructionsSchema, listPromptsOp,
  savePromptOp, setInstructionsOp, toolsViewOp, updateToolOp,
} from "../services/tools";
import { deleteSecretOp, secretStatusOp, setSecretOp, SecretValueSchema } from "../services/secrets";
import { ValidationError } from "../errors";
import { projectAccessFor } from "./caller";
import { created, doc, noContent, opDoc } from "./doc";
import { invoke } from "../services/operation";
import { duplicateTool } from "../services/tool-duplicate";

const PatchSchema = z.record(z.string(), z.unknown());

function asObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError("(body): expected a JSON object");
  return body as Record<string, unknown>;
}

/** Draft tools, secrets, instructions and manifest API routes. */
export function toolRoutes(deps: Deps) {
  const access = projectAccessFor(deps);
  return new Elysia()
    .get("/projects/:org/:project/tools", ({ request, params }) => toolsViewOp(deps, access(request, params)),
      doc("tools", "List tools: the draft's with their status against production (developer), else the published version's", {
        description: "`channel` says which: draft (developers; keys need draft + project:write) or production (viewers, read-only keys). `published` is false until the first publish.",
      }))
    .post("/projects/:org/:project/tools", ({ request, params, body }) => created(createToolOp(deps, access(request, params), body)),
      doc("tools", "Create a draft tool (developer)", { body: ToolDefinitionSchema }))
    .get("/projects/:org/:project/tools/:name", ({ request, params }) => getToolOp(deps, access(request, params), params.name),
      doc("tools", "One tool: the draft's (developer), else the published version's"))
    .patch("/projects/:org/:project/tools/:name", ({ request, params, body }) => updateToolOp(deps, access(request, params), params.name, asObject(body)),
      doc("tools", "Update a draft tool: the given fields are merged over the current definition (developer)", { body: PatchSchema }))
    .delete("/projects/:org/:project/tools/:name", ({ request, params }) => {
      deleteToolOp(deps, access(request, params), params.name);
      return noContent();
    }, doc("tools", "Delete a tool from the draft (developer)"))
    .post("/projects/:org/:project/tools/:name/duplicate", async ({ request, params, body }) =>
      created(await invoke(duplicateTool, deps, access(request, params), { ...asObject(body), name: params.name })), opDoc("tools", duplicateTool))
    .get("/projects/:org/:project/tools/:name/secrets", ({ request, params }) => secretStatusOp(deps, access(request, params), params.name),
      doc("tools", "Which of a tool's declared secrets have a value and which are missing one, per channel (values are write-only and never returned)"))
    .put("/projects/:org/:project/tools/:name/secrets/:secret", ({ request, params, body }) => {
      setSecretOp(deps, access(request, params), params.name, params.secret, body);
      return noContent();
    }, doc("tools", "Set a secret value the tool declares on one channel: `channel` draft (default; developer) or production (admin). Draft calls see only draft values, production calls only production values", { body: SecretValueSchema }))
    .delete("/projects/:org/:project/tools/:name/secrets/:secret", ({ request, params, query }) => {
      deleteSecretOp(deps, access(request, params), params.name, params.secret, (query as Record<string, unknown>).channel);
      return noContent();
    }, doc("tools", "Remove a secret value of one channel: `?channel=draft` (default; developer) or `production` (admin)"))
    .get("/projects/:org/:project/prompts", ({ request, params }) => ({ prompts: listPromptsOp(deps, access(request, params)) }),
      doc("tools", "List prompts: the draft's (developer), else the published version's"))
    .put("/projects/:org/:project/prompts/:name", ({ request, params, body }) => savePromptOp(deps, access(request, params), { ...asObject(body), name: params.name }),
      doc("tools", "Create or replace a prompt (developer)", { body: PromptDefinitionSchema.omit({ name: true }) }))
    .delete("/projects/:org/:project/prompts/:name", ({ request, params }) => {
      deletePromptOp(deps, access(request, params), params.name);
      return noContent();
    }, doc("tools", "Delete a prompt from the draft (developer)"))
    .get("/projects/:org/:project/instructions", ({ request, params }) => ({ instructions: instructionsOp(access(request, params)) }),
      doc("tools", "The instructions hosts receive in initialize"))
    .put("/projects/:org/:project/instructions", ({ request, params, body }) => ({ instructions: setInstructionsOp(deps, access(request, params), body) }),
      doc("tools", "Replace the instructions; live at once on both channels (developer)", { body: InstructionsSchema }))
    .get("/projects/:org/:project/manifest", ({ request, params }) => exportManifestOp(deps, access(request, params)),
      doc("tools", "Export the draft as a project manifest, secret names only (developer); others get the published version's (404 before the first publish)"))
    .put("/projects/:org/:project/manifest", ({ request, params, body }) => ({ diff: importManifestOp(deps, access(request, params), body) }),
      doc("tools", "Replace the draft from a manifest in one transaction; returns the diff (developer)", { body: ManifestSchema }));
}
