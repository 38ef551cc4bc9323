/**
 * Access-token signing keys (EdDSA / Ed25519). The first start creates one; `rotateSigningKey` (CLI) adds a
 * newer one. The newest unretired key signs; every unretired key verifies and is published in the JWKS, so
 * tokens signed before a rotation stay valid until they expire. Signing and verification go through
 * @elysiajs/jwt: with an asymmetric key one instance cannot both sign and verify, so each key gets two.
 * Private parts are sealed with the tool-secrets master key (key-seal.ts); if the newest one cannot be
 * opened (the master key was lost or rotated away), a fresh signing key is made: verification needs only
 * public parts, so tokens already issued keep working.
 */
import { jwt } from "@elysiajs/jwt";
import { desc, eq, isNull, sql } from "drizzle-orm";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { decodeProtectedHeader } from "jose";
import type { Db } from "../db/client";
import { signingKeys } from "../db/schema";
import { newId } from "../lib/ids";
import { keyId } from "../tools/secret-key";
import { concerns, type ChangeFeed } from "../lib/change-feed";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { needsSealing, openPrivateJwk, sealPrivateJwk, SigningKeyUnreadableError, type MasterKeys } from "./key-seal";

export const TOKEN_ALG = "EdDSA";

/** Claims Portico puts in every access token (docs/architecture.md: OAuth 2.1 rules). */
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

type SigningKeyRow = typeof signingKeys.$inferSelect;
type Sign = (claims: SignedClaims) => Promise<string>;

interface LoadedKey {
  kid: string;
  publicJwk: JsonWebKey;
  verify(token: string, opts: { issuer: string; now: number }): Promise<Record<string, unknown> | false>;
}

/** What making and opening keys needs: the database, the master key that seals private parts, and the clock. */
export interface SigningKeyDeps {
  db: Db;
  tools: { secrets: MasterKeys };
  clock: Clock;
}

function generate(db: Db, master: MasterKeys, now: number): string {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const kid = newId("key");
  db.insert(signingKeys)
    .values({
      kid,
      alg: TOKEN_ALG,
      publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: TOKEN_ALG, use: "sig" },
      privateJwk: sealPrivateJwk(master, kid, privateKey.export({ format: "jwk" })),
      createdAt: now,
    })
    .run();
  return kid;
}

/**
 * Adds a new signing key (`portico keys rotate`). Older keys keep verifying tokens already issued unless
 * `retirePrevious` is set (a suspected key leak): then every token they signed stops working at once.
 */
export function rotateSigningKey(deps: SigningKeyDeps, opts: { retirePrevious?: boolean } = {}): { kid: string; retired: number } {
  const now = deps.clock.now();
  return deps.db.transaction((tx) => {
    let retired = 0;
    if (opts.retirePrevious) {
      retired = tx.update(signingKeys).set({ retiredAt: now }).where(isNull(signingKeys.retiredAt)).returning().all().length;
    }
    return { kid: generate(tx as unknown as Db, deps.tools.secrets, now), retired };
  });
}

/**
 * Re-seals every unretired private key with `next` after `portico secrets rotate-key` replaced the master
 * key (the old one is still in `deps.tools.secrets`). Keys that cannot be opened are left alone: the key
 * ring replaces an unreadable signing key on its own. Returns how many were re-sealed.
 */
export function resealSigningKeys(deps: SigningKeyDeps, next: Buffer): number {
  const target: MasterKeys = { keys: () => ({ current: { id: keyId(next), key: next }, byId: new Map([[keyId(next), next]]) }), reload: () => {} };
  let count = 0;
  deps.db.transaction((tx) => {
    for (const row of tx.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).all()) {
      let jwk: JsonWebKey;
      try {
        jwk = openPrivateJwk(deps.tools.secrets, row.kid, row.privateJwk);
      } catch (err) {
        if (err instanceof SigningKeyUnreadableError) continue;
        throw err;
      }
      tx.update(signingKeys).set({ privateJwk: sealPrivateJwk(target, row.kid, jwk) }).where(eq(signingKeys.kid, row.kid)).run();
      count++;
    }
  });
  return count;
}

function loadVerifier(row: SigningKeyRow): LoadedKey {
  const publicKey = createPublicKey({ key: row.publicJwk as JsonWebKey, format: "jwk" });
  const verifier = jwt({ name: "jwtVerify", alg: TOKEN_ALG, secret: publicKey }).decorator.jwtVerify;
  return {
    kid: row.kid,
    publicJwk: row.publicJwk as JsonWebKey,
    // `exp` is judged at the app's clock, not the library's own reading of the system time.
    verify: (token, { issuer, now }) =>
      verifier.verify(token, { algorithms: [TOKEN_ALG], issuer, typ: "at+jwt", currentDate: new Date(now) }) as Promise<Record<string, unknown> | false>,
  };
}

/** Opens a row's private key for signing; a plaintext (pre-sealing) or older-sealed row is sealed anew in place. */
function loadSigner(db: Db, master: MasterKeys, row: SigningKeyRow): Sign {
  const jwk = openPrivateJwk(master, row.kid, row.privateJwk);
  if (needsSealing(master, row.privateJwk)) {
    db.update(signingKeys).set({ privateJwk: sealPrivateJwk(master, row.kid, jwk) }).where(eq(signingKeys.kid, row.kid)).run();
  }
  const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
  const signer = jwt({ name: "jwtSign", alg: TOKEN_ALG, kid: row.kid, typ: "at+jwt", secret: privateKey }).decorator.jwtSign;
  return (claims) => signer.sign({ ...claims });
}

/** What the key ring needs: the keys' storage, a log, and the change feed that says when to re-read them. */
export interface KeyRingDeps extends SigningKeyDeps {
  log: Logger;
  changes: ChangeFeed;
}

/**
 * The loaded key set of one database; one per app (`deps.oauth.keys`). It re-reads the table whenever the
 * change feed moved and the change may concern keys, so a rotation or retirement — by this process or by
 * `portico keys rotate` in another — holds from the very next request (docs/architecture.md, "Change feed").
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private signingKid = "";
  private signer: Sign | null = null;
  /** Feed version the loaded set reflects; -1 before the first load. */
  private loadedAt = -1;

  constructor(private readonly deps: KeyRingDeps) {}

  private unretiredRows(): SigningKeyRow[] {
    return this.deps.db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).orderBy(desc(signingKeys.createdAt), sql`rowid DESC`).all();
  }

  /** The newest unretired row, opened for signing; creates a key on first start or when the newest cannot be opened. */
  private useNewest(rows: SigningKeyRow[]): SigningKeyRow[] {
    const { db, tools, log, clock } = this.deps;
    const newest = rows[0];
    if (newest && newest.kid === this.signingKid && this.signer) return rows;
    if (newest) {
      try {
        this.signer = loadSigner(db, tools.secrets, newest);
        this.signingKid = newest.kid;
        return rows;
      } catch (err) {
        if (!(err instanceof SigningKeyUnreadableError)) throw err;
        log.warn({ kid: newest.kid }, "signing key cannot be opened with the current secret key; creating a new one (tokens it signed still verify)");
      }
    }
    const kid = generate(db, tools.secrets, clock.now());
    const fresh = this.unretiredRows();
    this.signer = loadSigner(db, tools.secrets, fresh.find((r) => r.kid === kid)!);
    this.signingKid = kid;
    return fresh;
  }

  private refresh(): void {
    const { changes } = this.deps;
    if (this.signer && this.loadedAt >= 0) {
      if (changes.version() === this.loadedAt) return;
      const change = changes.changedSince(this.loadedAt);
      if (!concerns(change, "keys")) {
        this.loadedAt = change.version;
        return;
      }
    }
    // The version before reading: a commit racing the read moves the feed again, and the next use re-reads.
    const version = changes.version();
    const rows = this.useNewest(this.unretiredRows());
    const next = new Map<string, LoadedKey>();
    for (const row of rows) next.set(row.kid, this.keys.get(row.kid) ?? loadVerifier(row));
    this.keys = next;
    this.loadedAt = version;
  }

  /** Signs an access token with the newest key. */
  sign(claims: SignedClaims): Promise<string> {
    this.refresh();
    return this.signer!(claims);
  }

  /** True while `kid` may still verify (it was not retired). */
  isActive(kid: string): boolean {
    this.refresh();
    return this.keys.has(kid);
  }

  /**
   * Verifies signature, `alg` (EdDSA only: `none` and HMAC tricks fail), `typ`, `exp` and `iss`.
   * Returns the claims and the key id, or null. A key added by the CLI is already loaded: its commit moved
   * the change feed.
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
    const key = this.keys.get(kid);
    if (!key) return null;
    const claims = await key.verify(token, { issuer, now: this.deps.clock.now() });
    return claims ? { kid, claims } : null;
  }

  /** The public JWKS document (RFC 7517). */
  jwks(): { keys: JsonWebKey[] } {
    this.refresh();
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }
}
