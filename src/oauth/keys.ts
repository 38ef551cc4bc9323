/**
 * Access-token signing keys (EdDSA / Ed25519). The first start creates one; `rotateSigningKey` (CLI) adds a
 * newer one. The newest unretired key signs; every unretired key verifies and is published in the JWKS, so
 * tokens signed before a rotation stay valid until they expire. Signing and verification go through
 * @elysiajs/jwt: with an asymmetric key one instance cannot both sign and verify, so each key gets two.
 */
import { jwt } from "@elysiajs/jwt";
import { desc, isNull } from "drizzle-orm";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { decodeProtectedHeader } from "jose";
import type { Db } from "../db/client";
import { signingKeys } from "../db/schema";
import { newId } from "../lib/ids";

export const TOKEN_ALG = "EdDSA";

/** Claims Portico puts in every access token (DESIGN: OAuth 2.1 rules). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  scope: string;
  client_id: string;
  /** Grant id: the per-request check reads this grant. */
  gid: string;
  jti: string;
  iat: number;
  exp: number;
}

type SignedClaims = Omit<AccessTokenClaims, "iat">;

interface LoadedKey {
  kid: string;
  publicJwk: JsonWebKey;
  sign(claims: SignedClaims): Promise<string>;
  verify(token: string, opts: { issuer: string }): Promise<Record<string, unknown> | false>;
}

function generate(db: Db): string {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const kid = newId("key");
  db.insert(signingKeys)
    .values({
      kid,
      alg: TOKEN_ALG,
      publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: TOKEN_ALG, use: "sig" },
      privateJwk: privateKey.export({ format: "jwk" }),
      createdAt: Date.now(),
    })
    .run();
  return kid;
}

/** Creates the first signing key if there is none (first start); returns the signing key id. */
export function ensureSigningKey(db: Db): string {
  const current = db
    .select({ kid: signingKeys.kid })
    .from(signingKeys)
    .where(isNull(signingKeys.retiredAt))
    .orderBy(desc(signingKeys.createdAt))
    .get();
  return current?.kid ?? generate(db);
}

/**
 * Adds a new signing key (`portico keys rotate`). Older keys keep verifying tokens already issued unless
 * `retirePrevious` is set (a suspected key leak): then every token they signed stops working at once.
 */
export function rotateSigningKey(db: Db, opts: { retirePrevious?: boolean } = {}): { kid: string; retired: number } {
  return db.transaction((tx) => {
    let retired = 0;
    if (opts.retirePrevious) {
      retired = tx.update(signingKeys).set({ retiredAt: Date.now() }).where(isNull(signingKeys.retiredAt)).returning().all().length;
    }
    return { kid: generate(tx as unknown as Db), retired };
  });
}

function load(row: typeof signingKeys.$inferSelect): LoadedKey {
  const privateKey = createPrivateKey({ key: row.privateJwk as JsonWebKey, format: "jwk" });
  const publicKey = createPublicKey({ key: row.publicJwk as JsonWebKey, format: "jwk" });
  const signer = jwt({ name: "jwtSign", alg: TOKEN_ALG, kid: row.kid, typ: "at+jwt", secret: privateKey }).decorator.jwtSign;
  const verifier = jwt({ name: "jwtVerify", alg: TOKEN_ALG, secret: publicKey }).decorator.jwtVerify;
  return {
    kid: row.kid,
    publicJwk: row.publicJwk as JsonWebKey,
    sign: (claims) => signer.sign({ ...claims }),
    verify: (token, { issuer }) =>
      verifier.verify(token, { algorithms: [TOKEN_ALG], issuer, typ: "at+jwt" }) as Promise<Record<string, unknown> | false>,
  };
}

/** How long the in-memory key set is trusted before re-reading the table (a CLI may have rotated). */
const RELOAD_MS = 30_000;

/** The loaded key set of one database; one per app (see `oauthState`). */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private signingKid = "";
  private loadedAt = 0;
  private forcedAt = 0;

  constructor(private readonly db: Db) {}

  private refresh(now = Date.now()): void {
    if (now - this.loadedAt < RELOAD_MS && this.signingKid) return;
    this.signingKid = ensureSigningKey(this.db);
    const rows = this.db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).all();
    const next = new Map<string, LoadedKey>();
    for (const row of rows) next.set(row.kid, this.keys.get(row.kid) ?? load(row));
    this.keys = next;
    this.loadedAt = now;
  }

  /** Forces a re-read on next use (after a rotation in this process). */
  invalidate(): void {
    this.loadedAt = 0;
  }

  /** Signs an access token with the newest key. */
  sign(claims: SignedClaims): Promise<string> {
    this.refresh();
    return this.keys.get(this.signingKid)!.sign(claims);
  }

  /** True while `kid` may still verify (it was not retired). */
  isActive(kid: string): boolean {
    this.refresh();
    return this.keys.has(kid);
  }

  /**
   * Verifies signature, `alg` (EdDSA only: `none` and HMAC tricks fail), `typ`, `exp` and `iss`.
   * Returns the claims and the key id, or null. An unknown kid triggers one re-read (rotation by the CLI).
   */
  async verify(token: string, issuer: string): Promise<{ kid: string; claims: Record<string, unknown> } | null> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return null;
    }
    if (typeof kid !== "string") return null;
    this.refresh();
    // At most one forced re-read a second: random kids in forged tokens must not turn into a query each.
    const now = Date.now();
    if (!this.keys.has(kid) && now - this.forcedAt > 1000) {
      this.forcedAt = now;
      this.invalidate();
      this.refresh(now);
    }
    const key = this.keys.get(kid);
    if (!key) return null;
    const claims = await key.verify(token, { issuer });
    return claims ? { kid, claims } : null;
  }

  /** The public JWKS document (RFC 7517). */
  jwks(): { keys: JsonWebKey[] } {
    this.refresh();
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }
}
