/** The README is the user's reference: it must name every CLI command and every setting. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { resolve } from "node:path";
import { COMMANDS } from "../../src/cli/commands";
import { CONFIG_FLAGS } from "../../src/config";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

const readme = await Bun.file(resolve(import.meta.dir, "../../README.md")).text();

describe("README", () => {
  test("starts with the two commands", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!.trim().split("\n");
    expect(firstBlock).toEqual(["npm install && npm start", "npm test"]);
  });

  test("documents every CLI command and every setting with its environment variable", () => {
    for (const c of COMMANDS) expect(readme).toContain(`portico ${c.spec.name}`);
    for (const f of CONFIG_FLAGS) {
      expect(readme).toContain(`\`--${f}\``);
      expect(readme).toContain(`PORTICO_${f.toUpperCase().replace(/-/g, "_")}`);
    }
  });
});
