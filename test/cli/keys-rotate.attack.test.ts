import { afterEach, describe, expect, test } from "bun:test";
import { Cli } from "./cli";

let cli: Cli;
afterEach(() => cli?.stop());

// Issue 11 #16 (part): `--retire-previous` said the old keys' tokens "no longer work", but a running server
// re-reads its keys at most every 30 s and accepts them until then. The output must not promise "now".
describe("portico keys rotate --retire-previous", () => {
  test("attack: the output does not claim a running server refuses retired-key tokens at once", async () => {
    cli = new Cli();
    await cli.run("keys", "rotate");
    const r = await cli.run("keys", "rotate", "--retire-previous");
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("no longer work");
    expect(r.out).toContain("running server");
    expect(r.out).toContain("30 s");
    const help = await cli.run("keys", "rotate", "--help");
    expect(help.out).not.toContain("retire the old keys now");
  });
});
