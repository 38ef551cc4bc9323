/**
 * Imports point down (docs/architecture.md: Layers): faces → services → storage and lib, no cycles.
 * Value imports only — `import type` is erased at build time and orders nothing.
 */
import { describe, expect, test } from "bun:test";
import { cycles, importGraph } from "./imports";

const graph = importGraph();
const FACE = /^(admin|api|cli|mcp)\//;
const STORAGE_FILE = /^db\//;
/** `bun` itself only for its SQL client, the Postgres driver (src/db/pg/client.ts). */
const STORAGE_PACKAGE = (p: string) => p.startsWith("drizzle-orm") || p === "bun:sqlite" || p === "bun";

/** Faces that still reach storage, each with the reason; the list may only shrink. */
const ALLOWED: Record<string, string> = {};

describe("layers", () => {
  test("no import cycles in src/", () => {
    expect(cycles(graph)).toEqual([]);
  });

  test("faces do not import storage (src/db, drizzle-orm, bun:sqlite, bun's SQL) except the listed ones", () => {
    const offenders: string[] = [];
    for (const [file, { local, packages }] of graph) {
      if (!FACE.test(file) || file in ALLOWED) continue;
      const bad = [...local.filter((t) => STORAGE_FILE.test(t)), ...packages.filter(STORAGE_PACKAGE)];
      if (bad.length) offenders.push(`${file} → ${bad.join(", ")}`);
    }
    expect(offenders).toEqual([]);
    for (const file of Object.keys(ALLOWED)) expect({ file, exists: graph.has(file) }).toEqual({ file, exists: true });
  });

  test("services, storage and lib never import a face", () => {
    const offenders: string[] = [];
    for (const [file, { local }] of graph) {
      if (!/^(services|db|lib)\//.test(file)) continue;
      const up = local.filter((t) => FACE.test(t));
      if (up.length) offenders.push(`${file} → ${up.join(", ")}`);
    }
    expect(offenders).toEqual([]);
  });

  test("storage and lib import nothing above them (besides errors, config and the domain vocabulary)", () => {
    const offenders: string[] = [];
    for (const [file, { local }] of graph) {
      if (!/^(db|lib)\//.test(file)) continue;
      const up = local.filter((t) => !/^(db|lib)\//.test(t) && !["errors.ts", "config.ts", "domain.ts"].includes(t));
      if (up.length) offenders.push(`${file} → ${up.join(", ")}`);
    }
    expect(offenders).toEqual([]);
  });
});
