/**
 * Issue 15, "instances must agree": a `portico serve` whose master key does not open the stored signing keys
 * refuses to start (non-zero exit, both key ids, what to do) instead of minting a key of its own; the CLI
 * commands that would mint or rotate refuse too, and `keys rotate --discard-unreadable` is the operator's
 * explicit way out when the old key is truly lost.
 */
import { afterEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { keyId } from "../../src/tools/secret-key";
import { Cli } from "../cli/cli";

// Real processes and listeners: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

const MAIN = resolve(import.meta.dir, "../../src/main.ts");

let cli: Cli;
afterEach(() => cli?.stop());

/** Starts `portico serve` as a process; resolves with its exit code and stderr, or "listening" once it is. */
async function serve(dataDir: string, secretKey?: string): Promise<{ code: number | "listening"; err: string }> {
  const { PORTICO_SECRET_KEY: _inherited, ...inherited } = process.env;
  const env = secretKey ? { ...inherited, PORTICO_SECRET_KEY: secretKey } : inherited;
  const proc = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", "--data-dir", dataDir], { env, stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let out = "";
  const listening = (async () => {
    while (!out.includes('"msg":"listening"')) {
      const chunk = await reader.read();
      if (chunk.done) return false;
      out += new TextDecoder().decode(chunk.value);
    }
    return true;
  })();
  if (await listening) {
    proc.kill("SIGTERM");
    await proc.exited;
    return { code: "listening", err: await new Response(proc.stderr).text() };
  }
  return { code: await proc.exited, err: await new Response(proc.stderr).text() };
}

describe("an instance whose master key does not open the stored signing keys", () => {
  test("portico serve exits non-zero naming both key ids and what to do; the escape hatch lets it start", async () => {
    cli = new Cli();
    // The data's own master key: the key file that the first command created in the data dir.
    expect((await cli.run("keys", "rotate")).code).toBe(0);
    const fileKey = Buffer.from(readFileSync(join(cli.dataDir, "secret.key"), "utf8").trim(), "base64");
    const other = randomBytes(32);
    const otherB64 = other.toString("base64");

    const refused = await serve(cli.dataDir, otherB64);
    expect(refused.code).toBe(1);
    expect(refused.err).toStartWith("portico serve: signing key key_");
    expect(refused.err).toContain(`sealed with master key ${keyId(fileKey)}`);
    expect(refused.err).toContain(`this instance has master key ${keyId(other)}`);
    expect(refused.err).toContain("PORTICO_SECRET_KEY");
    expect(refused.err).toContain("`portico secrets rotate-key` cannot recover a lost key");
    expect(refused.err).toContain("portico keys rotate --discard-unreadable");
    // The refused start minted nothing: the right key still starts.
    expect((await serve(cli.dataDir)).code).toBe("listening");

    // The commands that would mint or re-seal with the wrong key refuse as well, changing nothing.
    const rotate = await cli.run("keys", "rotate", "--secret-key", otherB64);
    expect(rotate.code).toBe(1);
    expect(rotate.err).toContain(`this instance has master key ${keyId(other)}`);
    const rekey = await cli.run("secrets", "rotate-key", "--secret-key", otherB64);
    expect(rekey.code).toBe(1);
    expect(rekey.err).toContain(`sealed with master key ${keyId(fileKey)}`);
    expect(readFileSync(join(cli.dataDir, "secret.key"), "utf8").trim()).toBe(fileKey.toString("base64"));
    expect((await serve(cli.dataDir)).code).toBe("listening");

    // The operator who really lost the key discards what it sealed; from then on the new key is the data's key.
    const discard = await cli.run("keys", "rotate", "--discard-unreadable", "--secret-key", otherB64, "--json");
    expect(discard.code).toBe(0);
    expect(discard.json.discarded).toBe(1);
    expect((await serve(cli.dataDir, otherB64)).code).toBe("listening");
    const old = await serve(cli.dataDir);
    expect(old.code).toBe(1);
    expect(old.err).toContain(`sealed with master key ${keyId(other)}`);
  });
});
