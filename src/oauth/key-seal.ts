/**
 * The signing keys' private JWKs at rest: sealed with the tool-secrets master key (AES-256-GCM; docs/architecture.md:
 * Operations — `PORTICO_SECRET_KEY` or `secret.key` in the data dir), so a copy of the database alone
 * cannot mint access tokens. No migration: the sealed form is a versioned string stored in the existing
 * JSON column (`"pjk1:<master key id>:<iv>:<ciphertext+tag>"`, base64url), and rows written before sealing
 * existed (a plain JWK object) are still read — the key ring seals them on load. The additional
 * authenticated data binds each ciphertext to its `kid`, so sealed keys cannot be swapped between rows.
 */
import { seal, sealedKeyId, unseal, type SealingKeys } from "../lib/sealed-string";
import type { KeyRing as MasterKeyRing } from "../tools/secret-key";

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
