/**
 * The signing keys' private JWKs at rest: sealed with the tool-secrets master key (AES-256-GCM; docs/architecture.md:
 * Operations — `PORTICO_SECRET_KEY` or `secret.key` in the data dir), so a copy of the database alone
 * cannot mint access tokens. No migration: the sealed form is a versioned string stored in the existing
 * JSON column (`"pjk1:<master key id>:<iv>:<ciphertext+tag>"`, base64url), and rows written before sealing
 * existed (a plain JWK object) are still read — the key ring seals them on load. The additional
 * authenticated data binds each ciphertext to its `kid`, so sealed keys cannot be swapped between rows.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { KeyRing as MasterKeyRing } from "../tools/secret-key";

const PREFIX = "pjk1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The master keys the tool-secret store holds (`deps.tools.secrets`): the current one and every known one. */
export interface MasterKeys {
  keys(): Pick<MasterKeyRing, "current" | "byId">;
  /** Re-reads the key file (a CLI may have rotated it while the server runs). */
  reload(): void;
}

/** A sealed private key whose master key this server does not have (lost, or rotated away). */
export class SigningKeyUnreadableError extends Error {
  constructor(kid: string) {
    super(`the private part of signing key ${kid} was sealed with a secret key this server does not have`);
  }
}

const aad = (kid: string) => Buffer.from(`portico signing key\0${kid}`);

/** True for a value written by `sealPrivateJwk` (anything else is a legacy plaintext JWK). */
export function isSealed(stored: unknown): stored is string {
  return typeof stored === "string" && stored.startsWith(`${PREFIX}:`);
}

/** Seals a private JWK with the current master key. */
export function sealPrivateJwk(master: MasterKeys, kid: string, jwk: JsonWebKey): string {
  const { current } = master.keys();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(aad(kid));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(jwk), "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [PREFIX, current.id, iv.toString("base64url"), sealed.toString("base64url")].join(":");
}

function masterKey(master: MasterKeys, id: string): Buffer | undefined {
  const known = master.keys().byId.get(id);
  if (known) return known;
  master.reload();
  return master.keys().byId.get(id);
}

/** The private JWK of a stored row: opened when sealed, as is when legacy plaintext. Throws SigningKeyUnreadableError. */
export function openPrivateJwk(master: MasterKeys, kid: string, stored: unknown): JsonWebKey {
  if (!isSealed(stored)) {
    if (stored && typeof stored === "object") return stored as JsonWebKey;
    throw new SigningKeyUnreadableError(kid);
  }
  const [, keyId = "", iv = "", data = ""] = stored.split(":");
  const key = masterKey(master, keyId);
  if (!key) throw new SigningKeyUnreadableError(kid);
  try {
    const bytes = Buffer.from(data, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(aad(kid));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString("utf8")) as JsonWebKey;
  } catch {
    // A wrong tag (tampered row, or a row moved to another kid) is as unusable as a missing key.
    throw new SigningKeyUnreadableError(kid);
  }
}

/** Whether a stored value should be (re)sealed with the current master key: plaintext, or sealed with an older one. */
export function needsSealing(master: MasterKeys, stored: unknown): boolean {
  return !isSealed(stored) || stored.split(":")[1] !== master.keys().current.id;
}
