/**
 * `portico keys rotate --retire-previous` run as its own process while a server runs on the same data dir:
 * the server's key ring follows the change feed, so the very next request with a token signed by a retired
 * key is refused — also when that token's claims were already verified and cached.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { resolve } from "node:path";
import { echoWithToken, worldPerTest } from "./fixtures";

// A real CLI process (bun start, migrations check) on a loaded 2-core machine.
setDefaultTimeout(30_000);

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const ctx = worldPerTest();

describe("keys rotate --retire-previous against a running server", () => {
  test("the CLI's retirement makes the server refuse a token signed by the retired key on the very next request", async () => {
    const { t, w } = ctx;
    const { call } = await echoWithToken(t, w);
    // Twice: the second call is answered with the token's claims from the verified-token cache.
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);

    const cli = Bun.spawnSync([process.execPath, MAIN, "keys", "rotate", "--retire-previous", "--data-dir", t.deps.config.dataDir], { stdout: "pipe", stderr: "pipe" });
    expect(cli.stderr.toString()).toBe("");
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout.toString()).toContain("Retired 1 previous key(s)");

    const next = await call();
    expect(next.status).toBe(401);
    expect(next.challenge).toContain('error="invalid_token"');
  });
});
