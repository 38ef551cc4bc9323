/**
 * The refresh grace window's memory (issue 11 #6; docs/architecture.md: OAuth — "a refresh retried within 30 s gets the
 * same successor pair"). When a refresh token is rotated, the token response it was rotated into is kept,
 * sealed with the tool-secrets master key (AES-256-GCM, src/lib/sealed-string.ts, like the signing keys), in
 * `refresh_tokens.successor` until the window ends, so a retry gets that very pair back instead of a second
 * branch of the family. The additional authenticated data binds the ciphertext to the presented token's
 * hash: a sealed pair copied onto another row does not open. A copy of the database alone opens nothing.
 * Format: `prs1:<master key id>:<iv>:<ciphertext+tag>` (base64url).
 */
import { seal, unseal } from "../lib/sealed-string";
import { sealingKeys, type MasterKeys } from "./key-seal";
import type { TokenResponse } from "./tokens";

const PREFIX = "prs1";

const aad = (tokenHash: string) => `portico refresh successor\0${tokenHash}`;

/** Seals the token response a refresh token (by hash) was rotated into. */
export function sealSuccessor(master: MasterKeys, tokenHash: string, pair: TokenResponse): string {
  return seal(sealingKeys(master), PREFIX, aad(tokenHash), pair);
}

/**
 * The sealed successor of the token with `tokenHash`, or null when it cannot be opened: a master key this
 * server does not hold (rotated away), a tampered value, or a value moved from another row.
 */
export function openSuccessor(master: MasterKeys, tokenHash: string, sealed: string): TokenResponse | null {
  return unseal<TokenResponse>(sealingKeys(master), PREFIX, aad(tokenHash), sealed);
}
