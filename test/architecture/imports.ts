/**
 * The import graph of src/ (static, value imports only: `import type` erases at build time and creates no
 * load-order dependency). Used by the layering test (docs/architecture.md: Layers).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const SRC = resolve(import.meta.dir, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const IMPORT = /^\s*(import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?["']([^"']+)["']/gm;

/** `src/`-relative file → the `src/`-relative files and bare packages it imports. */
export function importGraph(): Map<string, { local: string[]; packages: string[] }> {
  const graph = new Map<string, { local: string[]; packages: string[] }>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    const local: string[] = [];
    const packages: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[2]!;
      if (typeOnly(m[0])) continue;
      if (spec.startsWith(".")) {
        let target = resolve(dirname(file), spec);
        if (/\.(json|css|js|html|wasm|sql)$/.test(target)) continue; // assets and data bundled as text/JSON
        if (!target.endsWith(".ts")) target = statSafe(`${target}.ts`) ? `${target}.ts` : join(target, "index.ts");
        local.push(relative(SRC, target));
      } else packages.push(spec);
    }
    graph.set(relative(SRC, file), { local, packages });
  }
  return graph;
}

/** `import { type A, type B } from "x"` (every named import a type, no default/namespace) loads nothing. */
function typeOnly(statement: string): boolean {
  const at = statement.lastIndexOf(" from ");
  if (at < 0) return false;
  const clause = statement.slice(statement.indexOf(statement.trim().startsWith("export") ? "export" : "import") + 6, at).trim();
  const braces = clause.match(/^\{([\s\S]*)\}$/);
  if (!braces) return false;
  const names = braces[1]!.split(",").map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith("type "));
}

function statSafe(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Strongly connected components with more than one file (or a self-import): the import cycles. */
export function cycles(graph: Map<string, { local: string[] }>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)?.local ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || graph.get(v)!.local.includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}
