/**
 * The signing keys' private JWKs at rest: sealed with the tool-secrets master key (AES-256-GCM; docs/architecture.md:
 * Operations — `PORTICO_SECRET_KEY` or `secret.key` in the data dir), so a copy of the database alone
 * cannot mint access tokens. No migration: the sealed form is a versioned string stored in the existing
 * JSON column (`"pjk1:<master key id>:<iv>:<ciphertext+tag>"`, base64url), and rows written before sealing
 * existed (a plain JWK object) are still read — the key ring seals them on load. The additional
 * authenticated data binds each ciphertext to its `kid`, so sealed keys cannot be swapped between rows.
 */
import { AppError } from "../errors";
import { seal, sealedKeyId, unseal, type SealingKeys } from "../lib/sealed-string";
import { keyId, type KeyRing as MasterKeyRing } from "../tools/secret-key";

const PREFIX = "pjk1";

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

/**
 * The newest signing key does not open with this instance's master key (issue 15: instances must agree).
 * Minting a replacement, as Portico once did, would leave instances that share the database signing with
 * keys the others cannot open, and this one unable to read the tool secrets: so `serve` refuses to start,
 * and `keys rotate` / `secrets rotate-key` refuse to run, until the operator supplies the right key or
 * deliberately discards the unreadable ones. Key ids are fingerprints, never key material.
 */
export class MasterKeyMismatchError extends AppError {
  override readonly status = 503;
  override readonly code = "master_key_mismatch";
  constructor(
    readonly kid: string,
    /** The master key id the stored key names; null for an unreadable value that names none. */
    readonly neededKeyId: string | null,
    readonly haveKeyId: string,
  ) {
    const what =
      neededKeyId && neededKeyId !== haveKeyId
        ? `signing key ${kid} is sealed with master key ${neededKeyId}, but this instance has master key ${haveKeyId}`
        : `signing key ${kid} does not open with this instance's master key ${haveKeyId} (the stored value was altered)`;
    super(
      `${what}. Every instance on one database needs the same master key: start with the key the other instances ` +
        "use (PORTICO_SECRET_KEY, or secret.key in the data dir) or the .key file of the backup this data came from. " +
        "`portico secrets rotate-key` cannot recover a lost key. If the key is truly lost, `portico keys rotate " +
        "--discard-unreadable` retires the signing keys it sealed (tokens they signed stop working) and makes a new " +
        "one; tool secrets it sealed must be entered again.",
    );
  }
}

/** The mismatch error for a stored private key that `openPrivateJwk` refused. */
export function masterKeyMismatch(master: MasterKeys, kid: string, stored: unknown): MasterKeyMismatchError {
  return new MasterKeyMismatchError(kid, isSealed(stored) ? sealedKeyId(PREFIX, stored) : null, master.keys().current.id);
}

const aad = (kid: string) => `portico signing key\0${kid}`;

/** The master key ring as `seal`/`unseal` take it; an unknown id re-reads the key file once (a CLI may have rotated it). */
export function sealingKeys(master: MasterKeys, reloadOnMiss = false): SealingKeys {
  return {
    current: master.keys().current,
    byId: (id) => {
      const known = master.keys().byId.get(id);
      if (known || !reloadOnMiss) return known;
      master.reload();
      return master.keys().byId.get(id);
    },
  };
}

/** True for a value written by `sealPrivateJwk` (anything else is a legacy plaintext JWK). */
export function isSealed(stored: unknown): stored is string {
  return typeof stored === "string" && stored.startsWith(`${PREFIX}:`);
}

/** Seals a private JWK with the current master key. */
export function sealPrivateJwk(master: MasterKeys, kid: string, jwk: JsonWebKey): string {
  return seal(sealingKeys(master), PREFIX, aad(kid), jwk);
}

/** The private JWK of a stored row: opened when sealed, as is when legacy plaintext. Throws SigningKeyUnreadableError. */
export function openPrivateJwk(master: MasterKeys, kid: string, stored: unknown): JsonWebKey {
  if (!isSealed(stored)) {
    if (stored && typeof stored === "object") return stored as JsonWebKey;
    throw new SigningKeyUnreadableError(kid);
  }
  // A wrong tag (tampered row, or a row moved to another kid) is as unusable as a missing key.
  const jwk = unseal<JsonWebKey>(sealingKeys(master, true), PREFIX, aad(kid), stored);
  if (!jwk) throw new SigningKeyUnreadableError(kid);
  return jwk;
}

/** Whether a stored value should be (re)sealed with the current master key: plaintext, or sealed with an older one. */
export function needsSealing(master: MasterKeys, stored: unknown): boolean {
  return !isSealed(stored) || sealedKeyId(PREFIX, stored) !== master.keys().current.id;
}

/**
 * The rows' private keys re-sealed with `next` after `portico secrets rotate-key` replaced the master key (the
 * old one is still in `from`): the OAuth signing keys and the audit signing keys. A row `from` cannot open (a key
 * minted over a lost master key) is left out: it only verifies.
 */
export function resealedWith(from: MasterKeys, next: Buffer, rows: ReadonlyArray<{ kid: string; privateJwk: unknown }>): Array<{ kid: string; privateJwk: string }> {
  const target: MasterKeys = { keys: () => ({ current: { id: keyId(next), key: next }, byId: new Map([[keyId(next), next]]) }), reload: () => {} };
  const out: Array<{ kid: string; privateJwk: string }> = [];
  for (const row of rows) {
    let jwk: JsonWebKey;
    try {
      jwk = openPrivateJwk(from, row.kid, row.privateJwk);
    } catch (err) {
      if (err instanceof SigningKeyUnreadableError) continue;
      throw err;
    }
    out.push({ kid: row.kid, privateJwk: sealPrivateJwk(target, row.kid, jwk) });
  }
  return out;
}
