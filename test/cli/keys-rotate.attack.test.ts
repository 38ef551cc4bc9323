import { afterEach, describe, expect, test } from "bun:test";
import { Cli } from "./cli";

let cli: Cli;
afterEach(() => cli?.stop());

// Issue 11 #16 (part): `--retire-previous` said the old keys' tokens "no longer work", but a running server
// re-read its keys at most every 30 s and accepted them until then. Issue 13 made retirement immediate (the
// key ring follows the change feed; see keys-retire-running-server.test.ts): the output says when it holds
// for a running server — its next request — instead of the old "30 s".
describe("portico keys rotate --retire-previous", () => {
  test("attack: the output says when a running server refuses retired-key tokens (its next request), not the old 30 s", async () => {
    cli = new Cli();
    await cli.run("keys", "rotate");
    const r = await cli.run("keys", "rotate", "--retire-previous");
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("no longer work");
    expect(r.out).toContain("running server");
    expect(r.out).toContain("from its next request");
    expect(r.out).not.toContain("30 s");
    const help = await cli.run("keys", "rotate", "--help");
    expect(help.out).not.toContain("retire the old keys now");
  });
});
