/**
 * The refresh grace window's memory (issue 11 #6; docs/architecture.md: OAuth — "a refresh retried within 30 s gets the
 * same successor pair"). When a refresh token is rotated, the token response it was rotated into is kept,
 * sealed with the tool-secrets master key (AES-256-GCM, like the signing keys in key-seal.ts), in
 * `refresh_tokens.successor` until the window ends, so a retry gets that very pair back instead of a second
 * branch of the family. The additional authenticated data binds the ciphertext to the presented token's
 * hash: a sealed pair copied onto another row does not open. A copy of the database alone opens nothing.
 * Format: `prs1:<master key id>:<iv>:<ciphertext+tag>` (base64url).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { MasterKeys } from "./key-seal";
import type { TokenResponse } from "./tokens";

const PREFIX = "prs1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aad = (tokenHash: string) => Buffer.from(`portico refresh successor\0${tokenHash}`);

/** Seals the token response a refresh token (by hash) was rotated into. */
export function sealSuccessor(master: MasterKeys, tokenHash: string, pair: TokenResponse): string {
  const { current } = master.keys();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, iv);
  cipher.setAAD(aad(tokenHash));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(pair), "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [PREFIX, current.id, iv.toString("base64url"), sealed.toString("base64url")].join(":");
}

/**
 * The sealed successor of the token with `tokenHash`, or null when it cannot be opened: a master key this
 * server does not hold (rotated away), a tampered value, or a value moved from another row.
 */
export function openSuccessor(master: MasterKeys, tokenHash: string, sealed: string): TokenResponse | null {
  const [prefix, keyId = "", iv = "", data = ""] = sealed.split(":");
  if (prefix !== PREFIX) return null;
  const key = master.keys().byId.get(keyId);
  if (!key) return null;
  try {
    const bytes = Buffer.from(data, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(aad(tokenHash));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString("utf8")) as TokenResponse;
  } catch {
    return null;
  }
}
