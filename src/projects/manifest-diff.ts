/**
 * What changed between two manifests (docs/architecture.md: Project manifest): by name, and per changed
 * tool or prompt which parts changed, so the publish page and history say "schema, code" instead of a bare
 * "changed" (issue 16 #5). Versions stored before `details` existed have no such field.
 */
import type { Manifest } from "./manifest";

/** What changed between two manifests, by name; `changed` compares whole definitions. */
export interface ManifestDiff {
  tools: { added: string[]; removed: string[]; changed: string[] };
  prompts: { added: string[]; removed: string[]; changed: string[] };
  instructionsChanged: boolean;
  /** Per changed tool and prompt, the parts that changed in words ("input schema", "code", …). */
  details?: { tools: Record<string, string[]>; prompts: Record<string, string[]> };
}

/** The words for a definition's fields; any other field is named as it is spelled. */
const PART: Record<string, string> = {
  inputSchema: "input schema", outputSchema: "output schema", script: "code", html: "HTML", url: "URL",
  allowedDomains: "allowed domains", timeoutMs: "timeout", memoryMb: "memory", template: "template",
};

/** JSON with sorted keys, so definitions read back from rows compare equal to parsed ones. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  ) ?? "undefined";
}

/** The parts of two definitions of one name that differ, in words, in the definition's field order. */
export function changedParts(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => k !== "name");
  return keys.filter((k) => canonical(a[k]) !== canonical(b[k])).map((k) => PART[k] ?? k);
}

function diffByName<T extends { name: string }>(before: readonly T[], after: readonly T[]) {
  const old = new Map(before.map((x) => [x.name, x]));
  const now = new Map(after.map((x) => [x.name, x]));
  // No prototype: a tool may be named "__proto__" or "constructor".
  const parts: Record<string, string[]> = Object.create(null);
  for (const [name, def] of now) {
    const prev = old.get(name);
    if (prev && canonical(prev) !== canonical(def)) parts[name] = changedParts(prev, def);
  }
  return {
    added: [...now.keys()].filter((n) => !old.has(n)),
    removed: [...old.keys()].filter((n) => !now.has(n)),
    changed: [...now.keys()].filter((n) => Object.hasOwn(parts, n)),
    parts,
  };
}

export function diffManifests(before: Manifest | null, after: Manifest): ManifestDiff {
  const { parts: toolParts, ...tools } = diffByName(before?.tools ?? [], after.tools);
  const { parts: promptParts, ...prompts } = diffByName(before?.prompts ?? [], after.prompts);
  return { tools, prompts, instructionsChanged: (before?.instructions ?? "") !== after.instructions, details: { tools: toolParts, prompts: promptParts } };
}

/** True when a diff has any tool, prompt or instructions change. */
export function hasChanges(diff: ManifestDiff): boolean {
  const t = diff.tools;
  const p = diff.prompts;
  return diff.instructionsChanged || [t.added, t.removed, t.changed, p.added, p.removed, p.changed].some((l) => l.length > 0);
}
