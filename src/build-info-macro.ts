/**
 * Evaluated at bundle time as a Bun macro (`import … with { type: "macro" }`): the version from
 * package.json and the git commit of the tree being built are inlined into the bundle, so a compiled
 * binary reports what it was built from without a `.git` or `package.json` beside it. From a checkout
 * (`bun src/main.ts`) the macro runs when the file is transpiled, with the same result.
 */
import pkg from "../package.json" with { type: "json" };

export function buildInfo(): { version: string; commit: string } {
  let commit = "unknown";
  try {
    const git = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: import.meta.dir, stderr: "ignore" });
    if (git.exitCode === 0) commit = git.stdout.toString().trim() || "unknown";
    const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: import.meta.dir, stderr: "ignore" });
    if (git.exitCode === 0 && dirty.exitCode === 0 && dirty.stdout.toString().trim() !== "") commit += "-dirty";
  } catch {
    // no git on this machine: "unknown"
  }
  return { version: pkg.version, commit };
}
