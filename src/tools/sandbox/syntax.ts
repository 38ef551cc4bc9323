/**
 * A script's syntax, checked when it is saved (issue 16 #2: "a script with a syntax error was 'Saved to
 * the draft'"). The source is compiled — not run — as a module by the same QuickJS build the sandbox runs
 * it with (engine.ts), so a script refused here is exactly one whose every call would fail with "the script
 * could not be loaded: SyntaxError", and one accepted here parses in the sandbox too.
 *
 * The wasm module is loaded on the first check in this process (≈ 80 ms, ≈ 30 MB of RSS, measured) and
 * kept: saves are rare, but an import of a manifest with many script tools checks each one. Each check
 * gets a fresh runtime with its own memory and stack limits, freed at once.
 */
import variant from "@jitl/quickjs-singlefile-mjs-release-sync";
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";

/** Where the parser stopped, 1-based as editors count. */
export interface ScriptSyntaxError {
  line: number;
  column: number;
  message: string;
}

/** Compiling even the largest script a tool may hold (500,000 characters) stays far below this. */
const COMPILE_MEMORY_BYTES = 64 * 1024 * 1024;
/** As the sandbox's runtimes (engine.ts): deeply nested source fails with a stack error, never a crash. */
const COMPILE_STACK_BYTES = 256 * 1024;

let loading: Promise<QuickJSWASMModule> | null = null;

function quickjs(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(variant).catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

/**
 * The first syntax error in `script` (an ES module, as the sandbox loads it), or null when it parses.
 * Only syntax is judged: a module that parses but fails when loaded (an `import`, which the sandbox cannot
 * resolve) or has no default export fails at call time with its own configuration error.
 */
export async function checkScriptSyntax(script: string): Promise<ScriptSyntaxError | null> {
  const rt = (await quickjs()).newRuntime();
  try {
    rt.setMemoryLimit(COMPILE_MEMORY_BYTES);
    rt.setMaxStackSize(COMPILE_STACK_BYTES);
    const vm = rt.newContext();
    try {
      const compiled = vm.evalCode(script, "tool.js", { type: "module", compileOnly: true });
      if (!compiled.error) {
        compiled.value.dispose();
        return null;
      }
      const thrown = compiled.error.consume((h) => vm.dump(h)) as { name?: unknown; message?: unknown; stack?: unknown } | null;
      if (!thrown || typeof thrown !== "object" || thrown.name !== "SyntaxError") return null;
      // QuickJS names the position in the stack only: "    at tool.js:2:13".
      const at = /tool\.js:(\d+):(\d+)/.exec(String(thrown.stack ?? ""));
      return { line: at ? Number(at[1]) : 1, column: at ? Number(at[2]) : 1, message: String(thrown.message ?? "syntax error").slice(0, 300) };
    } finally {
      vm.dispose();
    }
  } finally {
    rt.dispose();
  }
}
