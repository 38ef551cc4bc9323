/**
 * A JSON value sealed with the master key (AES-256-GCM) as one text column:
 * `<prefix>:<master key id>:<iv>:<ciphertext+tag>` (base64url). The additional authenticated data binds the
 * ciphertext to its row (a sealed value copied onto another row does not open), and the key id lets a key
 * ring open values sealed before a rotation. Used for signing keys' private parts and refresh successors.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key ring a value is sealed with: the current key, and every key still known by id. */
export interface SealingKeys {
  current: { id: string; key: Buffer };
  byId(id: string): Buffer | undefined;
}

export function seal(keys: SealingKeys, prefix: string, aad: string, value: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keys.current.key, iv);
  cipher.setAAD(Buffer.from(aad));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [prefix, keys.current.id, iv.toString("base64url"), sealed.toString("base64url")].join(":");
}

/** The id of the key a sealed value was made with (or null when it is not a value of `prefix`). */
export function sealedKeyId(prefix: string, stored: string): string | null {
  const [p, keyId] = stored.split(":");
  return p === prefix && keyId ? keyId : null;
}

/** Opens a sealed value; null when it is not of `prefix`, its key is unknown, or it was tampered with or moved. */
export function unseal<T>(keys: SealingKeys, prefix: string, aad: string, stored: string): T | null {
  const [p, keyId = "", iv = "", data = ""] = stored.split(":");
  if (p !== prefix) return null;
  const key = keys.byId(keyId);
  if (!key) return null;
  try {
    const bytes = Buffer.from(data, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString("utf8")) as T;
  } catch {
    return null;
  }
}
