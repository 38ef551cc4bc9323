/**
 * Publishing while production values are missing (issue 11 #1): secret values are per channel and a
 * publish never copies draft values to production, so a published tool whose declared secret has no
 * production value would fail every call. Every face (pages, API, MCP `portico_publish`, CLI `publish`)
 * therefore refuses such a publish with this 409 naming what is missing, unless the caller confirms.
 * Names only: this never reads a ciphertext.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { ConflictError } from "../errors";
import type { ToolDefinition } from "./manifest";

/** One declared secret without a production value. */
export interface MissingSecret {
  tool: string;
  name: string;
}

/** The declared secrets of `tools` that have no production value, in tool order. */
export async function missingProductionSecrets(db: Db, projectId: string, tools: readonly ToolDefinition[]): Promise<MissingSecret[]> {
  const { toolSecrets } = db.t;
  if (!tools.some((t) => t.secrets.length > 0)) return [];
  const rows = await db
      .select({ tool: toolSecrets.toolName, name: toolSecrets.name })
      .from(toolSecrets)
      .where(and(eq(toolSecrets.projectId, projectId), eq(toolSecrets.channel, "production")));
  const set = new Set(rows.map((r) => `${r.tool}\0${r.name}`));
  return tools.flatMap((t) => t.secrets.filter((n) => !set.has(`${t.name}\0${n}`)).map((name) => ({ tool: t.name, name })));
}

/** `tool.NAME, …` for messages. */
export const describeMissing = (missing: readonly MissingSecret[]) => missing.map((m) => `${m.tool}.${m.name}`).join(", ");

/** A publish refused until confirmed: some declared secrets have no production value. */
export class MissingProductionSecretsError extends ConflictError {
  constructor(readonly missing: MissingSecret[]) {
    super(
      `Production values are missing for ${describeMissing(missing)}: published calls of these tools will fail until an admin sets them ` +
        `(draft values are never copied). Set them in the tool's settings first, or confirm to publish anyway ` +
        `(API and MCP: "confirm": true; CLI: --confirm).`,
      { missing },
    );
  }
}
