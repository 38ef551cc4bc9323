import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE } from "../../src/db/client";
import { KEY_FILE } from "../../src/tools/secret-key";
import { redactDeep, redactSecrets, rotateSecretKey, SecretKeyMismatchError, SecretStore } from "../../src/tools/secrets";
import { toolsHarness, type ToolsHarness } from "./fixtures";

let h: ToolsHarness;
beforeAll(async () => {
  h = await toolsHarness();
});
afterAll(() => h.close());

const rawRows = (dataDir: string) =>
  new Database(join(dataDir, DB_FILE), { readonly: true }).query("SELECT name, ciphertext, iv, key_id FROM tool_secrets").all() as {
    name: string;
    ciphertext: Uint8Array;
    iv: Uint8Array;
    key_id: string;
  }[];

describe("tool secrets at rest", () => {
  test("the key file is created on first start with mode 0600", () => {
    const path = join(h.deps.config.dataDir, KEY_FILE);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, "utf8").trim(), "base64").length).toBe(32);
  });

  test("values are stored as AES-GCM ciphertext, never in clear, and read back", async () => {
    const s = h.deps.tools.secrets;
    await s.setSecret(h.projectId, "weather", "API_KEY", "plain-value-123", "production");
    await s.setSecret(h.projectId, "weather", "OTHER", "second", "production");
    await s.setSecret(h.projectId, "weather", "API_KEY", "replaced-value-456", "production");
    const rows = rawRows(h.deps.config.dataDir);
    for (const r of rows) {
      expect(Buffer.from(r.ciphertext).toString("latin1")).not.toContain("value");
      expect(r.iv.length).toBe(12);
    }
    expect(await s.listSecretNames(h.projectId, "weather", "production")).toEqual(["API_KEY", "OTHER"]);
    expect(await s.loadSecrets(h.projectId, "weather", "production")).toEqual({ API_KEY: "replaced-value-456", OTHER: "second" });
    expect(await s.deleteSecret(h.projectId, "weather", "OTHER", "production")).toBe(true);
    expect(await s.deleteSecret(h.projectId, "weather", "OTHER", "production")).toBe(false);
    expect(await s.listSecretNames(h.projectId, "weather", "production")).toEqual(["API_KEY"]);
  });

  test("a ciphertext moved to another tool does not decrypt (bound by associated data)", async () => {
    const s = h.deps.tools.secrets;
    await s.setSecret(h.projectId, "a", "K", "value-of-a", "production");
    h.deps.db.$client.run("INSERT INTO tool_secrets (project_id, tool_name, name, ciphertext, iv, key_id, updated_at) SELECT project_id, 'b', name, ciphertext, iv, key_id, updated_at FROM tool_secrets WHERE tool_name = 'a'");
    await expect(s.loadSecrets(h.projectId, "b", "production")).rejects.toThrow();
  });

  test("another key cannot read them: a clear mismatch error", async () => {
    const other = new SecretStore(h.deps.db, { dataDir: h.deps.config.dataDir, secretKey: Buffer.alloc(32, 7).toString("base64") });
    await expect(other.loadSecrets(h.projectId, "weather", "production")).rejects.toThrow(SecretKeyMismatchError);
  });

  test("a key from config must be base64 of 32 bytes", () => {
    const bad = new SecretStore(h.deps.db, { dataDir: h.deps.config.dataDir, secretKey: "c2hvcnQ=" });
    expect(() => bad.keys()).toThrow(/32 random bytes/);
  });

  test("rotate-key re-encrypts everything, replaces the key file, and the old key stops working", async () => {
    const t = await toolsHarness();
    try {
      const s = t.deps.tools.secrets;
      await s.setSecret(t.projectId, "x", "A", "alpha-secret", "production");
      await s.setSecret(t.projectId, "y", "B", "beta-secret", "production");
      const oldFile = readFileSync(join(t.deps.config.dataDir, KEY_FILE), "utf8");
      const before = rawRows(t.deps.config.dataDir);
      const { key, rotated } = await rotateSecretKey(t.deps);
      expect(rotated).toBe(2);
      expect(readFileSync(join(t.deps.config.dataDir, KEY_FILE), "utf8").trim()).toBe(key);
      expect(statSync(join(t.deps.config.dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
      const after = rawRows(t.deps.config.dataDir);
      expect(after.map((r) => r.key_id)).not.toEqual(before.map((r) => r.key_id));
      // The running store notices the new key file by itself.
      expect(await s.loadSecrets(t.projectId, "x", "production")).toEqual({ A: "alpha-secret" });
      const withOld = new SecretStore(t.deps.db, { dataDir: t.deps.config.dataDir, secretKey: oldFile });
      await expect(withOld.loadSecrets(t.projectId, "y", "production")).rejects.toThrow(SecretKeyMismatchError);
    } finally {
      await t.close();
    }
  });

  test("with a key from the environment, rotation returns the new key and the data follows it", async () => {
    const envKey = Buffer.alloc(32, 1).toString("base64");
    const t = await toolsHarness({ secretKey: envKey });
    try {
      await t.deps.tools.secrets.setSecret(t.projectId, "x", "A", "alpha-secret", "production");
      expect(existsSync(join(t.deps.config.dataDir, KEY_FILE))).toBe(false);
      const { key } = await rotateSecretKey(t.deps);
      const next = new SecretStore(t.deps.db, { dataDir: t.deps.config.dataDir, secretKey: key });
      expect(await next.loadSecrets(t.projectId, "x", "production")).toEqual({ A: "alpha-secret" });
    } finally {
      await t.close();
    }
  });
});

describe("redaction", () => {
  test("known values are replaced, raw and JSON-escaped; short values are left alone", () => {
    expect(redactSecrets("token=abcd1234 and abcd1234", ["abcd1234"])).toBe("token=[redacted] and [redacted]");
    expect(redactSecrets(JSON.stringify({ v: 'p"ss\\word' }), ['p"ss\\word'])).toBe('{"v":"[redacted]"}');
    expect(redactSecrets("a b c", ["a"])).toBe("a b c");
  });

  test("redactDeep walks JSON values, keys included", () => {
    const out: unknown = redactDeep({ content: [{ type: "text", text: "key sk-999999" }], structuredContent: { "sk-999999": ["sk-999999"] } }, ["sk-999999"]);
    expect(out).toEqual({ content: [{ type: "text", text: "key [redacted]" }], structuredContent: { "[redacted]": ["[redacted]"] } });
  });
});
