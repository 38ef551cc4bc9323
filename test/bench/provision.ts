/**
 * Provisions the benchmark's world with the binary's own CLI on a fresh data dir: a user, an org, a
 * project whose manifest has a trivial script tool and an interactive tool, a published version, and an
 * API key. The same commands an operator runs (README, "Command line").
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "./processes";

export const EMAIL = "bench@example.com";
export const PASSWORD = "bench-password-long-enough";
export const ORG = "bench";
export const PROJECT = "perf";

/** The script tool: as small as a handler gets, so the number is the sandbox's own cost. */
export const SCRIPT_TOOL = "add";
/** The interactive tool: no sandbox; JWT/API key + grant check + validation + audit row. */
export const INTERACTIVE_TOOL = "show";

const MANIFEST = {
  instructions: "Benchmark project: call add or show.",
  tools: [
    {
      name: SCRIPT_TOOL,
      kind: "script",
      description: "Adds two numbers.",
      inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
      script: "export default (input) => ({ sum: input.a + input.b })",
      annotations: { readOnlyHint: true },
    },
    {
      name: INTERACTIVE_TOOL,
      kind: "interactive",
      description: "Shows a text.",
      inputSchema: { type: "object", properties: { text: { type: "string", maxLength: 200 } }, required: ["text"] },
      html: "<!doctype html><p>bench</p>",
    },
  ],
};

function run(dataDir: string, args: string[], extra: string[]): string {
  const res = Bun.spawnSync([BINARY, ...args, "--data-dir", dataDir, ...extra], { stdout: "pipe", stderr: "pipe" });
  if (res.exitCode !== 0) throw new Error(`portico ${args.slice(0, 2).join(" ")} failed (${res.exitCode}): ${res.stderr.toString()}`);
  return res.stdout.toString();
}

/**
 * Runs the CLI steps; returns the API key (shown once by `apikey create --json`). With `databaseUrl` every
 * step gets `--database-url` (a fresh, empty Postgres database; the data dir then holds only the key files).
 */
export function provision(dataDir: string, databaseUrl?: string): { apiKey: string } {
  const extra = databaseUrl ? ["--database-url", databaseUrl] : [];
  const cli = (d: string, args: string[]) => run(d, args, extra);
  const manifest = join(dataDir, "bench-manifest.json");
  writeFileSync(manifest, JSON.stringify(MANIFEST));
  const project = `${ORG}/${PROJECT}`;
  cli(dataDir, ["user", "create", "--email", EMAIL, "--password", PASSWORD, "--json"]);
  cli(dataDir, ["org", "create", "--slug", ORG, "--owner", EMAIL]);
  cli(dataDir, ["project", "create", "--org", ORG, "--slug", PROJECT, "--name", "Perf"]);
  cli(dataDir, ["project", "import", "--project", project, "--file", manifest]);
  cli(dataDir, ["publish", "--project", project, "--as", EMAIL]);
  const key = JSON.parse(cli(dataDir, ["apikey", "create", "--project", project, "--email", EMAIL, "--name", "bench", "--channel", "production", "--json"])) as { key: string };
  return { apiKey: key.key };
}
