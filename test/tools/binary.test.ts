/**
 * The QuickJS sandbox works inside `bun build --compile` (docs/architecture.md: Measured facts: the default wasm loader does not):
 * builds a tiny entry — just it, as `npm run build` does with src/main.ts; the worker comes embedded —
 * into one executable and runs it from another directory.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers";

const ROOT = join(import.meta.dir, "../..");
const out = tempDir("portico-bin-");
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The flags of `npm run build` (e.g. --bytecode), so the check covers the binary that ships. */
const BUILD_FLAGS = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build as string)
  .split(/\s+/)
  .filter((word) => word.startsWith("--") && word !== "--outfile");

test("a compiled binary runs a script tool in the sandbox", async () => {
  const exe = join(out, "sandbox-check");
  const build = Bun.spawnSync(
    [process.execPath, "build", ...BUILD_FLAGS, "test/tools/fixtures/sandbox-binary-entry.ts", "--outfile", exe],
    { cwd: ROOT, stderr: "pipe", stdout: "pipe" },
  );
  expect(build.exitCode, build.stderr.toString()).toBe(0);
  // Run from another directory: nothing may be read from the source tree.
  const run = Bun.spawnSync([exe], { cwd: out, stderr: "pipe", stdout: "pipe", timeout: 30_000 });
  expect(run.exitCode, run.stderr.toString()).toBe(0);
  const outcome = JSON.parse(run.stdout.toString().trim().split("\n").at(-1)!);
  expect(outcome).toEqual({
    result: { content: [{ type: "text", text: '{"sum":42,"salted":15}' }], structuredContent: { sum: 42, salted: 15 } },
    logs: ["info: adding 2 40"],
  });
}, 60_000);
