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
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { Deps } from "../deps";
import { type PromptRow, type ToolRow } from "../db/schema";
import { ConflictError, NotFoundError, ValidationError, fromZod } from "../errors";
import { newId } from "../lib/ids";
import {
  ManifestSchema, PromptDefinitionSchema, ToolDefinitionSchema, toolConfig,
  type Manifest, type PromptDefinition, type ToolDefinition,
} from "./manifest";
import { diffManifests, type ManifestDiff } from "./manifest-diff";
import { getProjectById } from "./projects";
import { first, laterThan, transaction } from "../db/query";
import type { Db } from "../db/client";
import { checkScriptSyntax } from "../tools/sandbox/syntax";

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

/** A script that does not parse is refused with where the parser stopped (issue 16 #2), on every face. */
async function checkScript(def: ToolDefinition): Promise<void> {
  if (def.kind !== "script") return;
  const bad = await checkScriptSyntax(def.script);
  if (!bad) return;
  const message = `syntax error at line ${bad.line}, column ${bad.column}: ${bad.message}`;
  throw new ValidationError(`script: ${message}`, [{ field: "script", message, line: bad.line, column: bad.column }]);
}

/**
 * Parses and checks one tool definition: the zod contract, compilable JSON Schemas, valid x-mcp-header
 * annotations and, for a script tool, a script that parses.
 */
export async function parseToolDefinition(input: unknown, ajv: Ajv2020 = createAjv()): Promise<ToolDefinition> {
  const parsed = ToolDefinitionSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  checkJsonSchema(ajv, parsed.data.inputSchema, "inputSchema");
  checkJsonSchema(ajv, parsed.data.outputSchema, "outputSchema");
  checkHeaderAnnotations(parsed.data.inputSchema);
  await checkScript(parsed.data);
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

async function touched(deps: DraftDeps, projectId: string): Promise<void> {
  const { projects } = deps.db.t;
  await deps.db.update(projects).set({ updatedAt: laterThan(projects.updatedAt, deps.clock.now()) }).where(eq(projects.id, projectId));
  deps.bus.emit("toolsChanged", { projectId, channel: "draft" });
}

export async function listDraftTools(deps: Pick<Deps, "db">, projectId: string): Promise<ToolDefinition[]> {
  const { tools } = deps.db.t;
  return (await deps.db.select().from(tools).where(eq(tools.projectId, projectId)).orderBy(asc(tools.sortOrder), asc(tools.name))).map(rowToDefinition);
}

export async function getDraftTool(deps: Pick<Deps, "db">, projectId: string, name: string): Promise<ToolDefinition> {
  const { tools } = deps.db.t;
  const row = await first(deps.db.select().from(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, name))));
  if (!row) throw new NotFoundError(`No draft tool named "${name}".`);
  return rowToDefinition(row);
}

/** SQL: the version snapshot (JSON text) lists a tool named `name` — each engine's own JSON functions. */
function snapshotHasTool(db: Db, snapshot: Db["t"]["versions"]["snapshot"], name: string): SQL {
  return db.engine === "postgres"
    ? sql`EXISTS (SELECT 1 FROM json_array_elements((${snapshot})::json -> 'tools') AS t WHERE t ->> 'name' = ${name})`
    : sql`EXISTS (SELECT 1 FROM json_each(${snapshot}, '$.tools') WHERE json_extract(value, '$.name') = ${name})`;
}

/** True when any published version of the project contains a tool of that name (names are then frozen). */
export async function isNamePublished(deps: Pick<Deps, "db">, projectId: string, name: string): Promise<boolean> {
  const { versions } = deps.db.t;
  const hit = await first(deps.db
      .select({ id: versions.id })
      .from(versions)
      .where(and(eq(versions.projectId, projectId), snapshotHasTool(deps.db, versions.snapshot, name))));
  return Boolean(hit);
}

export async function createDraftTool(deps: DraftDeps, projectId: string, input: unknown): Promise<ToolDefinition> {
  const { tools } = deps.db.t;
  const def = await parseToolDefinition(input);
  await getProjectById(deps.db, projectId);
  const exists = await first(deps.db.select({ id: tools.id }).from(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, def.name))));
  if (exists) throw new ConflictError(`A tool named "${def.name}" already exists.`);
  const now = deps.clock.now();
  const order = (await first(deps.db.select({ n: sql<number>`coalesce(max(${tools.sortOrder}), -1) + 1` }).from(tools).where(eq(tools.projectId, projectId))))!.n;
  await deps.db.insert(tools).values({ id: newId("tool"), projectId, ...toolValues(def), sortOrder: order, createdAt: now, updatedAt: now });
  await touched(deps, projectId);
  return def;
}

/** Updates a draft tool from a partial definition merged over the current one; a published name cannot change. */
export async function updateDraftTool(deps: DraftDeps, projectId: string, name: string, patch: Record<string, unknown>): Promise<ToolDefinition> {
  const { tools } = deps.db.t;
  const current = await getDraftTool(deps, projectId, name);
  const def = await parseToolDefinition({ ...current, ...patch });
  if (def.name !== name) {
    if ((await isNamePublished(deps, projectId, name))) {
      throw new ConflictError(`"${name}" has been published, so its name cannot change; create a new tool instead.`);
    }
    const taken = await first(deps.db.select({ id: tools.id }).from(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, def.name))));
    if (taken) throw new ConflictError(`A tool named "${def.name}" already exists.`);
  }
  await deps.db.update(tools).set({ ...toolValues(def), updatedAt: deps.clock.now() }).where(and(eq(tools.projectId, projectId), eq(tools.name, name)));
  await touched(deps, projectId);
  return def;
}

export async function deleteDraftTool(deps: DraftDeps, projectId: string, name: string): Promise<void> {
  const { tools } = deps.db.t;
  const gone = await deps.db.delete(tools).where(and(eq(tools.projectId, projectId), eq(tools.name, name))).returning({ id: tools.id });
  if (gone.length === 0) throw new NotFoundError(`No draft tool named "${name}".`);
  await touched(deps, projectId);
}

/**
 * Instructions are versioned like tools (issue 16 #4): an edit changes the draft at once; production serves
 * the published version's snapshot.
 */
export async function setInstructions(deps: DraftDeps, projectId: string, instructions: string): Promise<void> {
  const { projects } = deps.db.t;
  const parsed = ManifestSchema.shape.instructions.safeParse(instructions);
  if (!parsed.success) throw fromZod({ issues: parsed.error.issues.map((i) => ({ ...i, path: ["instructions"] })) });
  await getProjectById(deps.db, projectId);
  await deps.db.update(projects).set({ instructions: parsed.data }).where(eq(projects.id, projectId));
  await touched(deps, projectId);
}

export async function listPrompts(deps: Pick<Deps, "db">, projectId: string): Promise<PromptDefinition[]> {
  const { prompts } = deps.db.t;
  return (await deps.db.select().from(prompts).where(eq(prompts.projectId, projectId)).orderBy(asc(prompts.name))).map(promptToDefinition);
}

/** Creates or replaces a prompt by name. */
export async function savePrompt(deps: DraftDeps, projectId: string, input: unknown): Promise<PromptDefinition> {
  const { prompts } = deps.db.t;
  const parsed = PromptDefinitionSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const p = parsed.data;
  const now = deps.clock.now();
  const values = { name: p.name, title: p.title ?? null, description: p.description, arguments: p.arguments, template: p.template, updatedAt: now };
  await deps.db
        .insert(prompts)
        .values({ id: newId("prm"), projectId, ...values, createdAt: now })
        .onConflictDoUpdate({ target: [prompts.projectId, prompts.name], set: values });
  await touched(deps, projectId);
  return p;
}

export async function deletePrompt(deps: DraftDeps, projectId: string, name: string): Promise<void> {
  const { prompts } = deps.db.t;
  const gone = await deps.db.delete(prompts).where(and(eq(prompts.projectId, projectId), eq(prompts.name, name))).returning({ id: prompts.id });
  if (gone.length === 0) throw new NotFoundError(`No prompt named "${name}".`);
  await touched(deps, projectId);
}

/** The draft as one manifest document (secret names only: values never leave the secret store). */
export async function exportManifest(deps: Pick<Deps, "db">, projectId: string): Promise<Manifest> {
  const project = await getProjectById(deps.db, projectId);
  return { instructions: project.instructions, tools: await listDraftTools(deps, projectId), prompts: await listPrompts(deps, projectId) };
}

/** Replaces the draft's tools, prompts and instructions in one transaction; returns what changed. */
export async function importManifest(deps: DraftDeps, projectId: string, input: unknown): Promise<ManifestDiff> {
  const parsed = ManifestSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const ajv = createAjv();
  const checked: ToolDefinition[] = [];
  for (const [i, t] of parsed.data.tools.entries()) checked.push(await withField(`tools.${i}`, () => parseToolDefinition(t, ajv)));
  const manifest: Manifest = { ...parsed.data, tools: checked };
  const before = await exportManifest(deps, projectId);
  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
        const { projects, prompts, tools } = tx.t;
        await tx.delete(tools).where(eq(tools.projectId, projectId));
        await tx.delete(prompts).where(eq(prompts.projectId, projectId));
        for (const [i, def] of manifest.tools.entries()) {
          await tx.insert(tools).values({ id: newId("tool"), projectId, ...toolValues(def), sortOrder: i, createdAt: now, updatedAt: now });
        }
        for (const p of manifest.prompts) {
          await tx.insert(prompts).values({ id: newId("prm"), projectId, name: p.name, title: p.title ?? null, description: p.description, arguments: p.arguments, template: p.template, createdAt: now, updatedAt: now });
        }
        await tx.update(projects).set({ instructions: manifest.instructions }).where(eq(projects.id, projectId));
      });
  await touched(deps, projectId);
  return diffManifests(before, manifest);
}

async function withField<T>(prefix: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${prefix}.${err.message}`, err.details);
    throw err;
  }
}
