import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Which of the app's heavy entry modules a fresh process has loaded after running one command line. */
function loadedAfter(argv: string[]): string[] {
  const code = `
    const { runCli } = await import(${JSON.stringify(join(import.meta.dir, "../../src/cli/run.ts"))});
    const code = await runCli(${JSON.stringify(argv)}, { io: { out() {}, err() {} }, signals: false });
    const heavy = Object.keys(require.cache).filter((p) => /\\/src\\/(app|server|deps)\\.ts$/.test(p)).map((p) => p.split("/src/")[1]);
    console.log(JSON.stringify({ code, heavy: heavy.sort() }));`;
  const run = Bun.spawnSync([process.execPath, "-e", code], { stdout: "pipe", stderr: "pipe" });
  expect(run.exitCode, run.stderr.toString()).toBe(0);
  const out = JSON.parse(run.stdout.toString().trim().split("\n").at(-1)!);
  expect(out.code).toBe(0);
  return out.heavy;
}

test("--help and a command's --help load neither the HTTP app nor the runtime deps", () => {
  expect(loadedAfter(["--help"])).toEqual([]);
  expect(loadedAfter(["serve", "--help"])).toEqual([]);
});

test("a one-shot command opens the deps but never loads the HTTP app or the server", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-cli-lazy-"));
  expect(loadedAfter(["user", "create", "--email", "lazy@example.com", "--data-dir", dir])).toEqual(["deps.ts"]);
});
