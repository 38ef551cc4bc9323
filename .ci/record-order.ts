#!/usr/bin/env bun
/**
 * `npm run build:order`: records .ci/portico.order, the profile `npm run build` lays the binary's bytecode out
 * by (`--bytecode-order`, Bun's profile-guided layout: the functions a start uses first, so a cold start
 * reads and decodes less of the executable). Builds a binary with the same flags but no profile, starts
 * `serve` once on an empty data dir (first run) and again on it (a restart: what the profile records), waits
 * for the first /healthz 200 and stops it with SIGTERM; the profile is written at exit.
 *
 * Functions are matched by a hash of their syntax, so an old profile keeps working as the code changes;
 * functions added since are laid out after the recorded ones. Re-record when the start-up path changed
 * much (the cold start rows of `npm run bench` creep up). The file holds hashes, no source.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
export const ORDER_FILE = join(ROOT, ".ci/portico.order");

/** The flags of `npm run build` without the profile (it may not exist yet) and without the output file. */
function buildFlags(): string[] {
  const words = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build as string).split(/\s+/);
  return words.filter((w) => w.startsWith("--") && w !== "--outfile" && !w.startsWith("--bytecode-order"));
}

function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

/** One `serve` until /healthz answers 200, then a graceful stop; `env` extra environment. */
async function serveOnce(exe: string, dataDir: string, env: Record<string, string> = {}): Promise<void> {
  const port = freePort();
  const proc = Bun.spawn([exe, "serve", "--data-dir", dataDir, "--port", String(port), "--log-level", "warn"], {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "ignore",
  });
  const since = Date.now();
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() - since > 20_000) {
      proc.kill("SIGKILL");
      throw new Error("serve did not answer /healthz within 20 s");
    }
    await Bun.sleep(5);
  }
  proc.kill("SIGTERM");
  const code = await proc.exited;
  if (code !== 0) throw new Error(`serve exited with ${code}`);
}

if (import.meta.main) {
  const tmp = mkdtempSync(join(tmpdir(), "portico-order-"));
  try {
    const exe = join(tmp, "portico");
    const build = Bun.spawnSync([process.execPath, "build", "src/main.ts", ...buildFlags(), "--outfile", exe], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`bun build failed:\n${build.stderr.toString()}`);
    const dataDir = join(tmp, "data");
    await serveOnce(exe, dataDir);
    const recorded = join(tmp, "portico.order");
    await serveOnce(exe, dataDir, { BUN_BYTECODE_ORDER_OUT: recorded });
    copyFileSync(recorded, ORDER_FILE);
    process.stderr.write(`wrote ${ORDER_FILE} (${readFileSync(ORDER_FILE).length} bytes)\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
