/**
 * Build-time macro (imported `with { type: "macro" }` by asset.ts): bundles the code editor (editor.ts,
 * CodeMirror 6 from npm) for the browser into one minified JavaScript text, so the compiled binary made by
 * `npm run build` serves it itself — no CDN, nothing fetched at run time. From source it runs when asset.ts
 * is first imported (the first request for /assets/editor.js). Runs a child `bun build`, as the sandbox
 * worker's macro does, because the bundler cannot be re-entered from inside a macro.
 */
import { join } from "node:path";

export function editorSource(): string {
  const built = Bun.spawnSync([process.execPath, "build", join(import.meta.dir, "editor.ts"), "--target", "browser", "--format", "iife", "--minify"], { stdout: "pipe", stderr: "pipe" });
  if (built.exitCode !== 0) throw new Error(`bundling the code editor failed: ${built.stderr.toString()}`);
  return built.stdout.toString();
}
