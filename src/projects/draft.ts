/**
 * The draft channel's working copy (docs/architecture.md: Channels, Project manifest): tools, prompts and instructions,
 * edited by the CLI, pages, API and MCP management tools through these functions only. Every change bumps
 * the project's `updated_at` (the cross-process change watcher reads it) and emits `toolsChanged` for the
 * draft channel so open sessions get `notifications/tools/list_changed`.
 */
import { checkHeaderAnnotations } from "./header-annotations";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import draft7MetaSchema from "ajv/dist/refs/json-schema-draft-07.json";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Deps } from "../deps";
import { projects, prompts, tools, versions, type PromptRow, type ToolRow } from "../db/schema";
import { ConflictError, NotFoundError, ValidationError, fromZod } from "../errors";
import { newId } from "../lib/ids";
import {
  ManifestSchema, PromptDefinitionSchema, ToolDefinitionSchema, toolConfig,
  type Manifest, type PromptDefinition, type ToolDefinition,
} from "./manifest";
import { diffManifests, type ManifestDiff } from "./manifest-diff";
import { getProjectById } from "./projects";

export { diffManifests, type ManifestDiff };

type DraftDeps = Pick<Deps, "db" | "bus" | "clock">;

/** An ajv for tool schemas: JSON Schema 2020-12 (MCP's default dialect) plus draft-07, formats, lenient keywords. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: true });
  ajv.addMetaSchema(draft7MetaSchema);
  addFormats(ajv);
  return ajv;
}

/** Compiles a tool's input/output schema to prove it is usable; throws a ValidationError naming the problem. */
function checkJsonSchema(ajv: Ajv2020, schema: unknown, field: string): void {
  if (schema === undefined) return;
  if (!ajv.validateSchema(schema as object)) {
    throw new ValidationError(`${field}: not a valid JSON Schema: ${ajv.errorsText(ajv.errors, { dataVar: field })}`);
  }
  try {
    ajv.compile(schema as object);
  } catch (err) {
    throw new ValidationError(`${field}: the JSON Schema cannot be used: ${(err as Error).message}`);
  }
}

/** Parses and checks one tool definition (zod contract + compilable JSON Schemas + valid x-mcp-header annotations). */
export function parseToolDefinition(input: unknown, ajv: Ajv2020 = createAjv()): ToolDefinition {
  const parsed = ToolDefinitionSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  checkJsonSchema(ajv, parsed.data.inputSchema, "inputSchema");
  checkJsonSchema(ajv, parsed.data.outputSchema, "outputSchema");
  checkHeaderAnnotations(parsed.data.inputSchema);
  return parsed.data;
}

/** A stored draft tool row back in manifest form. */
export function rowToDefinition(row: ToolRow): ToolDefinition {
  const def = {
    name: row.name, kind: row.kind, description: row.description, inputSchema: row.inputSchema,
    ...(row.title ? { title: row.title } : {}),
    ...(row.outputSchema ? { outputSchema: row.outputSchema } : {}),
    ...(row.annotations ? { annotations: row.annotations } : {}),
    ...(row.scope ? { scope: row.scope } : {}),
    ...(row.config as object),
  };
  return def as ToolDefinition;
}

function promptToDefinition(row: PromptRow): PromptDefinition {
  return {
    name: row.name, description: row.description, arguments: row.arguments as PromptDefinition["arguments"], template: row.template,
    ...(row.title ? { title: row.title } : {}),
  };
}

function toolValues(def: ToolDefinition) {
  return {
    name: def.name, title: def.title ?? null, description: def.description, kind: def.kind, inputSchema: def.inputSchema,
    outputSchema: def.outputSchema ?? null, annotations: def.annotations ?? null, scope: def.scope ?? null, config: toolConfig(def),
  };
}

function touched(deps: DraftDeps, projectId: string): void {
  deps.db.update(projects).set({ updatedAt: sql`max(${projects.updatedAt} + 1, ${deps.clock.now()})` }).where(eq(projects.id, projectId)).run();
  deps.bus.emit("toolsChanged", { projectId, channel: "draft" });
}

export function listDraftTools(deps: Pick<Deps, "db">, projectId: string): ToolDefinition[] {
  return deps.db.select().from(tools).where(eq(tools.projectId, projectId)).orderBy(asc(tools.sortOrder), asc(tools.name)).all().map(rowToDefinition);
}

export function getDraftTool(deps: Pick<Deps, "db">, projectId: string, name: string): ToolDefinition {
  const row = deps.db.select().from(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, name))).get();
  if (!row) throw new NotFoundError(`No draft tool named "${name}".`);
  return rowToDefinition(row);
}

/** True when any published version of the project contains a tool of that name (names are then frozen). */
export function isNamePublished(deps: Pick<Deps, "db">, projectId: string, name: string): boolean {
  const hit = deps.db
    .select({ id: versions.id })
    .from(versions)
    .where(and(eq(versions.projectId, projectId), sql`EXISTS (SELECT 1 FROM json_each(${versions.snapshot}, '$.tools') WHERE json_extract(value, '$.name') = ${name})`))
    .get();
  return Boolean(hit);
}

export function createDraftTool(deps: DraftDeps, projectId: string, input: unknown): ToolDefinition {
  const def = parseToolDefinition(input);
  getProjectById(deps.db, projectId);
  const exists = deps.db.select({ id: tools.id }).from(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, def.name))).get();
  if (exists) throw new ConflictError(`A tool named "${def.name}" already exists.`);
  const now = deps.clock.now();
  const order = deps.db.select({ n: sql<number>`coalesce(max(${tools.sortOrder}), -1) + 1` }).from(tools).where(eq(tools.projectId, projectId)).get()!.n;
  deps.db.insert(tools).values({ id: newId("tool"), projectId, ...toolValues(def), sortOrder: order, createdAt: now, updatedAt: now }).run();
  touched(deps, projectId);
  return def;
}

/** Updates a draft tool from a partial definition merged over the current one; a published name cannot change. */
export function updateDraftTool(deps: DraftDeps, projectId: string, name: string, patch: Record<string, unknown>): ToolDefinition {
  const current = getDraftTool(deps, projectId, name);
  const def = parseToolDefinition({ ...current, ...patch });
  if (def.name !== name) {
    if (isNamePublished(deps, projectId, name)) {
      throw new ConflictError(`"${name}" has been published, so its name cannot change; create a new tool instead.`);
    }
    const taken = deps.db.select({ id: tools.id }).from(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, def.name))).get();
    if (taken) throw new ConflictError(`A tool named "${def.name}" already exists.`);
  }
  deps.db.update(tools).set({ ...toolValues(def), updatedAt: deps.clock.now() }).where(and(eq(tools.projectId, projectId), eq(tools.name, name))).run();
  touched(deps, projectId);
  return def;
}

export function deleteDraftTool(deps: DraftDeps, projectId: string, name: string): void {
  const gone = deps.db.delete(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, name))).returning({ id: tools.id }).all();
  if (gone.length === 0) throw new NotFoundError(`No draft tool named "${name}".`);
  touched(deps, projectId);
}

/**
 * Instructions are versioned like tools (issue 16 #4): an edit changes the draft at once; production serves
 * the published version's snapshot.
 */
export function setInstructions(deps: DraftDeps, projectId: string, instructions: string): void {
  const parsed = ManifestSchema.shape.instructions.safeParse(instructions);
  if (!parsed.success) throw fromZod({ issues: parsed.error.issues.map((i) => ({ ...i, path: ["instructions"] })) });
  getProjectById(deps.db, projectId);
  deps.db.update(projects).set({ instructions: parsed.data }).where(eq(projects.id, projectId)).run();
  touched(deps, projectId);
}

export function listPrompts(deps: Pick<Deps, "db">, projectId: string): PromptDefinition[] {
  return deps.db.select().from(prompts).where(eq(prompts.projectId, projectId)).orderBy(asc(prompts.name)).all().map(promptToDefinition);
}

/** Creates or replaces a prompt by name. */
export function savePrompt(deps: DraftDeps, projectId: string, input: unknown): PromptDefinition {
  const parsed = PromptDefinitionSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const p = parsed.data;
  const now = deps.clock.now();
  const values = { name: p.name, title: p.title ?? null, description: p.description, arguments: p.arguments, template: p.template, updatedAt: now };
  deps.db
    .insert(prompts)
    .values({ id: newId("prm"), projectId, ...values, createdAt: now })
    .onConflictDoUpdate({ target: [prompts.projectId, prompts.name], set: values })
    .run();
  touched(deps, projectId);
  return p;
}

export function deletePrompt(deps: DraftDeps, projectId: string, name: string): void {
  const gone = deps.db.delete(prompts).where(and(eq(prompts.projectId, projectId), eq(prompts.name, name))).returning({ id: prompts.id }).all();
  if (gone.length === 0) throw new NotFoundError(`No prompt named "${name}".`);
  touched(deps, projectId);
}

/** The draft as one manifest document (secret names only: values never leave the secret store). */
export function exportManifest(deps: Pick<Deps, "db">, projectId: string): Manifest {
  const project = getProjectById(deps.db, projectId);
  return { instructions: project.instructions, tools: listDraftTools(deps, projectId), prompts: listPrompts(deps, projectId) };
}

/** Replaces the draft's tools, prompts and instructions in one transaction; returns what changed. */
export function importManifest(deps: DraftDeps, projectId: string, input: unknown): ManifestDiff {
  const parsed = ManifestSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const ajv = createAjv();
  const manifest: Manifest = { ...parsed.data, tools: parsed.data.tools.map((t, i) => withField(`tools.${i}`, () => parseToolDefinition(t, ajv))) };
  const before = exportManifest(deps, projectId);
  const now = deps.clock.now();
  deps.db.transaction((tx) => {
    tx.delete(tools).where(eq(tools.projectId, projectId)).run();
    tx.delete(prompts).where(eq(prompts.projectId, projectId)).run();
    manifest.tools.forEach((def, i) => {
      tx.insert(tools).values({ id: newId("tool"), projectId, ...toolValues(def), sortOrder: i, createdAt: now, updatedAt: now }).run();
    });
    for (const p of manifest.prompts) {
      tx.insert(prompts).values({ id: newId("prm"), projectId, name: p.name, title: p.title ?? null, description: p.description, arguments: p.arguments, template: p.template, createdAt: now, updatedAt: now }).run();
    }
    tx.update(projects).set({ instructions: manifest.instructions }).where(eq(projects.id, projectId)).run();
  });
  touched(deps, projectId);
  return diffManifests(before, manifest);
}

function withField<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${prefix}.${err.message}`, err.details);
    throw err;
  }
}
