/**
 * The master key for tool secrets (docs/architecture.md: Operations): `PORTICO_SECRET_KEY` (base64 of 32 bytes) or the
 * file `secret.key` in the data dir, created on first start with mode 0600. Losing it loses every tool
 * secret, so operators back it up with the database.
 *
 * A key ring rather than one key: rotation writes the new key to `secret.key.new`, re-encrypts in one
 * transaction, then renames it over `secret.key`. If the process dies between commit and rename, the
 * next start still finds the new key (each row records the id of the key that encrypted it).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, type Config } from "../config";
import { sha256 } from "../lib/crypto";

export const KEY_FILE = "secret.key";
const PENDING_FILE = "secret.key.new";
const KEY_BYTES = 32;

export interface KeyRing {
  /** The key new secrets are encrypted with. */
  current: { id: string; key: Buffer };
  /** Every key that may have encrypted a stored row, by id. */
  byId: Map<string, Buffer>;
  /** Where the current key lives: a file we manage, or the environment. */
  source: "env" | "file" | "memory";
}

/** A short, non-secret fingerprint stored beside each ciphertext. */
export function keyId(key: Buffer): string {
  return sha256(key.toString("base64")).slice(0, 16);
}

/** Decodes a base64 32-byte key; throws ConfigError naming `flag` otherwise. */
export function parseKey(text: string, flag: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEY_BYTES) throw new ConfigError(flag, "must be base64 of exactly 32 random bytes (e.g. `openssl rand -base64 32`)");
  return key;
}

/** A fresh random key. */
export function newSecretKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function writeKeyFile(path: string, key: Buffer, flag: "wx" | "w"): void {
  writeFileSync(path, key.toString("base64") + "\n", { mode: 0o600, flag });
  chmodSync(path, 0o600);
}

/** Loads (creating on first start) the key ring for `config`. */
export function loadKeyRing(config: Pick<Config, "secretKey" | "dataDir">): KeyRing {
  const ring = (key: Buffer, source: KeyRing["source"]): KeyRing => {
    const current = { id: keyId(key), key };
    return { current, byId: new Map([[current.id, key]]), source };
  };
  if (config.secretKey) return ring(parseKey(config.secretKey, "secret-key"), "env");
  if (config.dataDir === ":memory:") return ring(newSecretKey(), "memory");
  mkdirSync(config.dataDir, { recursive: true });
  const path = join(config.dataDir, KEY_FILE);
  if (!existsSync(path)) {
    try {
      writeKeyFile(path, newSecretKey(), "wx");
    } catch (err) {
      // Another process (a CLI command) created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  const result = ring(parseKey(readFileSync(path, "utf8"), `data-dir (${KEY_FILE})`), "file");
  const pending = join(config.dataDir, PENDING_FILE);
  if (existsSync(pending)) {
    const key = parseKey(readFileSync(pending, "utf8"), `data-dir (${PENDING_FILE})`);
    result.byId.set(keyId(key), key);
  }
  return result;
}

/**
 * Rotation's file steps around the re-encryption transaction: `stage` writes the new key beside the
 * old one, `commit` makes it the current key. With an env key there is no file: the caller prints the
 * new key for the operator to install.
 */
export function stageKeyFile(config: Pick<Config, "dataDir">, key: Buffer): { commit(): void } {
  const pending = join(config.dataDir, PENDING_FILE);
  writeKeyFile(pending, key, "w");
  return { commit: () => renameSync(pending, join(config.dataDir, KEY_FILE)) };
}
