/**
 * Build-time macro (imported `with { type: "macro" }` by embedded-worker.ts): bundles the sandbox
 * worker — QuickJS module included — into one JavaScript text, so a compiled binary carries it without
 * the build command having to list the worker as an extra entrypoint. Runs a child `bun build` because
 * the bundler cannot be re-entered from inside a macro.
 */
import { join } from "node:path";

export function workerSource(): string {
  const built = Bun.spawnSync([process.execPath, "build", join(import.meta.dir, "worker.ts"), "--target", "bun", "--minify"], { stdout: "pipe", stderr: "pipe" });
  if (built.exitCode !== 0) throw new Error(`bundling the sandbox worker failed: ${built.stderr.toString()}`);
  return built.stdout.toString();
}
