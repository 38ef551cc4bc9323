/**
 * Signing keys at rest: the private JWK is sealed with the tool-secrets master key, legacy plaintext rows
 * still work (and are sealed on load), and a database without its secret key cannot sign with the stored
 * key — nothing is minted in its place (issue 15: instances must agree), while tokens already issued keep
 * verifying by their public key. The process-level refusal is test/server/master-key-mismatch.test.ts.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { signingKeys } from "../../src/db/schema";
import { resealSigningKeys, rotateSigningKey } from "../../src/oauth/keys";
import { rotateSecretKey } from "../../src/tools/secrets";
import { MasterKeyMismatchError, openPrivateJwk, sealPrivateJwk, SigningKeyUnreadableError } from "../../src/oauth/key-seal";
import { makeApp, tempDir, type TestApp } from "../helpers";

const apps: TestApp[] = [];
async function app(overrides: Parameters<typeof makeApp>[0] = {}) {
  const t = await makeApp(overrides);
  apps.push(t);
  return t;
}
afterEach(async () => {
  for (const t of apps.splice(0)) await t.close();
});

const claims = (issuer: string) => ({
  iss: issuer,
  aud: `${issuer}/acme/shop`,
  sub: "usr_1",
  scope: "tools:call",
  client_id: "cli_1",
  gid: "gnt_1",
  jti: "jti_1",
  exp: Math.floor(Date.now() / 1000) + 600,
});

function rawRows(t: TestApp) {
  return t.deps.db.$client.query<{ kid: string; private_jwk: string; public_jwk: string }, []>("SELECT kid, private_jwk, public_jwk FROM signing_keys").all();
}

describe("signing keys at rest", () => {
  test("private parts are stored sealed (no key material in the row), also after a CLI rotation; tokens sign and verify", async () => {
    const t = await app();
    await rotateSigningKey(t.deps);
    const rows = rawRows(t);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const stored = JSON.parse(row.private_jwk) as string;
      expect(stored).toStartWith("pjk1:");
      const { d } = openPrivateJwk(t.deps.tools.secrets, row.kid, stored);
      expect(d).toBeString();
      expect(row.private_jwk).not.toContain(d!);
    }
    const keys = t.deps.oauth.keys;
    const token = await keys.sign(claims(t.deps.config.publicUrl));
    expect(await keys.verify(token, t.deps.config.publicUrl)).not.toBeNull();
  });

  test("a legacy plaintext row is still used, and sealed in place when loaded", async () => {
    const t = await app();
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const kid = "key_legacy";
    t.deps.db
      .insert(signingKeys)
      .values({
        kid,
        alg: "EdDSA",
        publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" },
        privateJwk: privateKey.export({ format: "jwk" }),
        createdAt: Date.now() + 1000,
      })
      .run();
    const keys = t.deps.oauth.keys;
    const token = await keys.sign(claims(t.deps.config.publicUrl));
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    // An independent verifier with the legacy public key accepts it.
    await jwtVerify(token, await importJWK(publicKey.export({ format: "jwk" }) as never, "EdDSA"));
    const stored = t.deps.db.select().from(signingKeys).where(eq(signingKeys.kid, kid)).get()!;
    expect(stored.privateJwk).toBeString();
    expect(String(stored.privateJwk)).toStartWith("pjk1:");
  });

  test("without the secret key the stored key cannot sign: nothing is minted, the refusal names both key ids, and tokens already issued still verify", async () => {
    const dataDir = tempDir();
    const first = await app({ dataDir });
    const before = await first.deps.oauth.keys.sign(claims(first.deps.config.publicUrl));
    const neededKeyId = first.deps.tools.secrets.keys().current.id;
    await first.close();
    apps.splice(0);
    const other = await app({ dataDir, secretKey: randomBytes(32).toString("base64") });
    const haveKeyId = other.deps.tools.secrets.keys().current.id;
    const keys = other.deps.oauth.keys;
    await expect(keys.open()).rejects.toThrow(MasterKeyMismatchError);
    const refused = await keys.sign(claims(other.deps.config.publicUrl)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(MasterKeyMismatchError);
    expect((refused as Error).message).toContain(`sealed with master key ${neededKeyId}`);
    expect((refused as Error).message).toContain(`this instance has master key ${haveKeyId}`);
    expect(await keys.verify(before, other.deps.config.publicUrl)).not.toBeNull();
    expect((await keys.jwks()).keys).toHaveLength(1);
    expect(rawRows(other)).toHaveLength(1);
    expect(other.logs.text).toContain("does not open with this instance's master key");
  });

  test("a rotation with the wrong master key is refused unless it discards the unreadable keys", async () => {
    const dataDir = tempDir();
    const first = await app({ dataDir });
    const [original] = rawRows(first).map((r) => r.kid);
    await first.close();
    apps.splice(0);
    const other = await app({ dataDir, secretKey: randomBytes(32).toString("base64") });
    await expect(rotateSigningKey(other.deps)).rejects.toThrow(MasterKeyMismatchError);
    await expect(rotateSigningKey(other.deps, { retirePrevious: true })).rejects.toThrow(MasterKeyMismatchError);
    expect(rawRows(other)).toHaveLength(1);
    const { kid, discarded } = await rotateSigningKey(other.deps, { discardUnreadable: true });
    expect(discarded).toBe(1);
    const token = await other.deps.oauth.keys.sign(claims(other.deps.config.publicUrl));
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    expect(await other.deps.oauth.keys.isActive(original!)).toBe(false);
  });

  test("after the master key is rotated (portico secrets rotate-key), the restarted server still signs with the same key", async () => {
    const dataDir = tempDir();
    const first = await app({ dataDir });
    const before = await first.deps.oauth.keys.sign(claims(first.deps.config.publicUrl));
    const { key } = await rotateSecretKey(first.deps);
    expect(await resealSigningKeys(first.deps, Buffer.from(key, "base64"))).toBe(1);
    await first.close();
    apps.splice(0);
    const restarted = await app({ dataDir });
    const after = await restarted.deps.oauth.keys.sign(claims(restarted.deps.config.publicUrl));
    expect(decodeProtectedHeader(after).kid).toBe(decodeProtectedHeader(before).kid);
    expect(restarted.logs.text).not.toContain("signing key cannot be opened");
  });

  test("a sealed key cannot be moved to another kid, and a tampered one does not open", async () => {
    const t = await app();
    const master = t.deps.tools.secrets;
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    const sealed = sealPrivateJwk(master, "key_a", jwk);
    expect(openPrivateJwk(master, "key_a", sealed)).toEqual(jwk);
    expect(() => openPrivateJwk(master, "key_b", sealed)).toThrow(SigningKeyUnreadableError);
    // One ciphertext character changed for sure (the old version replaced a character by itself 1 time in 64).
    const at = sealed.length - 10;
    const tampered = sealed.slice(0, at) + (sealed[at] === "A" ? "B" : "A") + sealed.slice(at + 1);
    expect(() => openPrivateJwk(master, "key_a", tampered)).toThrow(SigningKeyUnreadableError);
  });
});
