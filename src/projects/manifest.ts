/**
 * The project manifest (docs/architecture.md: Project manifest): tool, prompt and instructions definitions as one JSON
 * document. These schemas are the single source of truth for tool definitions — the draft tool service,
 * the runtimes, the settings pages, the JSON API, MCP management tools and import/export all use them.
 */
import { z } from "zod";
import { SCOPES } from "../auth/scopes";

/** MCP tool names (SEP-986): letters, digits, `_`, `-`, `.`; `portico_` is reserved for management tools. */
export const ToolNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, "use 1–64 letters, digits, '_', '-' or '.'")
  .refine((n) => !n.startsWith("portico_"), "names starting with portico_ are reserved");

export const SecretNameSchema = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "use UPPER_SNAKE_CASE, e.g. API_KEY");

/** A hostname a tool may fetch (exact, or `*.example.com` for subdomains). */
export const DomainSchema = z
  .string()
  .toLowerCase()
  .regex(/^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$/, "a hostname such as api.example.com or *.example.com");

const JsonSchemaObject = z
  .record(z.string(), z.unknown())
  .refine((s) => s.type === "object", "must be a JSON Schema with \"type\": \"object\"");

export const AnnotationsSchema = z
  .object({
    title: z.string().optional(),
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .strict();

const common = {
  name: ToolNameSchema,
  title: z.string().max(200).optional(),
  description: z.string().max(10_000).default(""),
  inputSchema: JsonSchemaObject.default({ type: "object", properties: {} }),
  outputSchema: JsonSchemaObject.optional(),
  annotations: AnnotationsSchema.optional(),
  /** A scope the caller needs beyond `tools:call`. */
  scope: z.enum(SCOPES).optional(),
  allowedDomains: z.array(DomainSchema).max(50).default([]),
  /** Names of the tool's secrets; values are write-only and never part of a manifest. */
  secrets: z.array(SecretNameSchema).max(50).default([]),
};

export const InteractiveToolSchema = z.object({
  ...common,
  kind: z.literal("interactive"),
  /** Self-contained MCP Apps HTML, served as `ui://{project}/{tool}` with mime `text/html;profile=mcp-app`. */
  html: z.string().min(1).max(2_000_000),
});

export const ScriptToolSchema = z.object({
  ...common,
  kind: z.literal("script"),
  /** `export default async (input, env) => result` */
  script: z.string().min(1).max(500_000),
  timeoutMs: z.number().int().min(10).max(60_000).default(10_000),
  memoryMb: z.number().int().min(8).max(512).default(128),
});

export const HttpToolSchema = z.object({
  ...common,
  kind: z.literal("http"),
  url: z.url().refine((u) => u.startsWith("https://") || u.startsWith("http://"), "must be an http(s) URL"),
  /** Header templates; `{{secrets.NAME}}` is replaced with the secret's value at call time. */
  headers: z.record(z.string(), z.string()).default({}),
  timeoutMs: z.number().int().min(10).max(60_000).default(10_000),
});

export const ToolDefinitionSchema = z.discriminatedUnion("kind", [InteractiveToolSchema, ScriptToolSchema, HttpToolSchema]);
export type ToolDefinition = z.output<typeof ToolDefinitionSchema>;
export type ToolDefinitionInput = z.input<typeof ToolDefinitionSchema>;

export const PromptArgumentSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
  description: z.string().max(1000).optional(),
  required: z.boolean().optional(),
});

export const PromptDefinitionSchema = z.object({
  name: ToolNameSchema,
  title: z.string().max(200).optional(),
  description: z.string().max(10_000).default(""),
  arguments: z.array(PromptArgumentSchema).max(50).default([]),
  /** Text with `{{argument}}` placeholders. */
  template: z.string().min(1).max(100_000),
});
export type PromptDefinition = z.output<typeof PromptDefinitionSchema>;

export const ManifestSchema = z.object({
  instructions: z.string().max(100_000).default(""),
  tools: z
    .array(ToolDefinitionSchema)
    .max(500)
    .default([])
    .refine((tools) => new Set(tools.map((t) => t.name)).size === tools.length, "tool names must be unique"),
  prompts: z
    .array(PromptDefinitionSchema)
    .max(500)
    .default([])
    .refine((p) => new Set(p.map((x) => x.name)).size === p.length, "prompt names must be unique"),
});
export type Manifest = z.output<typeof ManifestSchema>;

/** A published version's snapshot: the manifest as it was at publish time (secret names only). */
export type VersionSnapshot = Manifest;

/** The `{ html } | { script, … } | { url, … }` part stored in `tools.config`. */
export function toolConfig(def: ToolDefinition): Record<string, unknown> {
  const { name, title, description, inputSchema, outputSchema, annotations, scope, kind, ...config } = def;
  void name, title, description, inputSchema, outputSchema, annotations, scope, kind;
  return config;
}
