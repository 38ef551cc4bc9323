/**
 * Access-token signing keys (EdDSA / Ed25519). The first start creates one; `rotateSigningKey` (CLI) adds a
 * newer one. The newest unretired key signs; every unretired key verifies and is published in the JWKS, so
 * tokens signed before a rotation stay valid until they expire. Signing and verification go through
 * @elysiajs/jwt: with an asymmetric key one instance cannot both sign and verify, so each key gets two.
 * Private parts are sealed with the tool-secrets master key (key-seal.ts). If the newest one cannot be
 * opened, this instance's master key is not the one the data was written with: it signs nothing and `serve`
 * refuses to start (MasterKeyMismatchError, issue 15 — instances must agree) instead of minting a key the
 * others could not open. Verification needs only public parts, so it keeps working either way.
 */
import { transaction } from "../db/query";
import { jwt } from "@elysiajs/jwt";
import { desc, eq, isNull, sql } from "drizzle-orm";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { decodeProtectedHeader } from "jose";
import type { Db } from "../db/client";
import type { signingKeys } from "../db/schema";
import { newId } from "../lib/ids";
import { concerns, type ChangeFeed } from "../lib/change-feed";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { masterKeyMismatch, needsSealing, openPrivateJwk, resealedWith, sealPrivateJwk, SigningKeyUnreadableError, type MasterKeyMismatchError, type MasterKeys } from "./key-seal";

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

async function generate(db: Db, master: MasterKeys, now: number): Promise<string> {
  const { signingKeys } = db.t;
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const kid = newId("key");
  await db.insert(signingKeys)
        .values({
          kid,
          alg: TOKEN_ALG,
          publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: TOKEN_ALG, use: "sig" },
          privateJwk: sealPrivateJwk(master, kid, privateKey.export({ format: "jwk" })),
          createdAt: now,
        });
  return kid;
}

/** Unretired keys, newest first: the first one signs. */
async function unretiredRows(db: Db): Promise<SigningKeyRow[]> {
  const { signingKeys } = db.t;
  // Two keys minted in one millisecond (a fake clock) are told apart by insertion order: SQLite's rowid;
  // Postgres has no such column, and there the key id breaks the tie.
  const tieBreak = db.engine === "postgres" ? desc(signingKeys.kid) : sql`rowid DESC`;
  return await db.select().from(signingKeys).where(isNull(signingKeys.retiredAt)).orderBy(desc(signingKeys.createdAt), tieBreak);
}

/** Whether this master key opens a stored private key. */
function opens(master: MasterKeys, row: SigningKeyRow): boolean {
  try {
    openPrivateJwk(master, row.kid, row.privateJwk);
    return true;
  } catch (err) {
    if (err instanceof SigningKeyUnreadableError) return false;
    throw err;
  }
}

/**
 * Throws MasterKeyMismatchError when the newest unretired signing key does not open with this process's
 * master key: the check behind `serve`'s start, `keys rotate` and `secrets rotate-key` (issue 15).
 */
export async function assertMasterKeyOpensSigningKeys(deps: SigningKeyDeps): Promise<void> {
  const newest = (await unretiredRows(deps.db))[0];
  if (newest && !opens(deps.tools.secrets, newest)) throw masterKeyMismatch(deps.tools.secrets, newest.kid, newest.privateJwk);
}

export interface RotateOptions {
  /** Retire every older key: tokens they signed stop working (a suspected leak). */
  retirePrevious?: boolean;
  /**
   * The master key the stored keys were sealed with is lost: retire the keys it sealed instead of refusing.
   * Without it, a rotation with the wrong master key is refused: its new key would be one that the instances
   * holding the right master key cannot open.
   */
  discardUnreadable?: boolean;
}

/**
 * Adds a new signing key (`portico keys rotate`). Older keys keep verifying tokens already issued unless
 * `retirePrevious` is set (a suspected key leak): then every token they signed stops working at once.
 * `discarded` counts the unreadable keys `discardUnreadable` retired.
 */
export async function rotateSigningKey(deps: SigningKeyDeps, opts: RotateOptions = {}): Promise<{ kid: string; retired: number; discarded: number }> {
  const now = deps.clock.now();
  const master = deps.tools.secrets;
  return await transaction(deps.db, async (tx) => {
      const { signingKeys } = tx.t;
      const db = tx as unknown as Db;
      let retired = 0;
      let discarded = 0;
      if (opts.discardUnreadable) {
        for (const row of (await unretiredRows(db))) {
          if (opens(master, row)) continue;
          await tx.update(signingKeys).set({ retiredAt: now }).where(eq(signingKeys.kid, row.kid));
          discarded++;
        }
      } else {
        await assertMasterKeyOpensSigningKeys({ ...deps, db });
      }
      if (opts.retirePrevious) {
        retired = (await tx.update(signingKeys).set({ retiredAt: now }).where(isNull(signingKeys.retiredAt)).returning()).length;
      }
      return { kid: await generate(db, master, now), retired, discarded };
    });
}

/**
 * Re-seals every unretired private key with `next` after `portico secrets rotate-key` replaced the master
 * key (the old one is still in `deps.tools.secrets`). The caller first checks that the newest key opens
 * (`assertMasterKeyOpensSigningKeys`); an older key that does not (one Portico minted over a lost master key
 * before issue 15) is left alone: it only verifies. Returns how many were re-sealed.
 */
export async function resealSigningKeys(deps: SigningKeyDeps, next: Buffer): Promise<number> {
  return await transaction(deps.db, async (tx) => {
    const { signingKeys } = tx.t;
    const resealed = resealedWith(deps.tools.secrets, next, await tx.select().from(signingKeys).where(isNull(signingKeys.retiredAt)));
    for (const row of resealed) await tx.update(signingKeys).set({ privateJwk: row.privateJwk }).where(eq(signingKeys.kid, row.kid));
    return resealed.length;
  });
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
async function loadSigner(db: Db, master: MasterKeys, row: SigningKeyRow): Promise<Sign> {
  const { signingKeys } = db.t;
  const jwk = openPrivateJwk(master, row.kid, row.privateJwk);
  if (needsSealing(master, row.privateJwk)) {
    await db.update(signingKeys).set({ privateJwk: sealPrivateJwk(master, row.kid, jwk) }).where(eq(signingKeys.kid, row.kid));
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
  /** Why there is no signer: the newest key does not open with this master key. */
  private signerError: MasterKeyMismatchError | null = null;
  /** Feed version the loaded set reflects; -1 before the first load. */
  private loadedAt = -1;

  constructor(private readonly deps: KeyRingDeps) {}

  /**
   * Opens the newest unretired row for signing (creating the first key on a fresh database). When it does not
   * open, nothing is minted: signing fails with the mismatch until the operator fixes the master key.
   */
  private async useNewest(rows: SigningKeyRow[]): Promise<SigningKeyRow[]> {
    const { db, tools, log, clock } = this.deps;
    if (rows.length === 0) {
      await generate(db, tools.secrets, clock.now());
      rows = await unretiredRows(db);
    }
    const newest = rows[0]!;
    if (newest.kid === this.signingKid && (this.signer || this.signerError)) return rows;
    this.signingKid = newest.kid;
    try {
      this.signer = await loadSigner(db, tools.secrets, newest);
      this.signerError = null;
    } catch (err) {
      if (!(err instanceof SigningKeyUnreadableError)) throw err;
      this.signer = null;
      this.signerError = masterKeyMismatch(tools.secrets, newest.kid, newest.privateJwk);
      log.error({ kid: newest.kid, neededKeyId: this.signerError.neededKeyId, haveKeyId: this.signerError.haveKeyId }, "the newest signing key does not open with this instance's master key: no access tokens can be issued");
    }
    return rows;
  }

  private async refresh(): Promise<void> {
    const { changes } = this.deps;
    if (this.loadedAt >= 0) {
      if (changes.version() === this.loadedAt) return;
      const change = changes.changedSince(this.loadedAt);
      if (!concerns(change, "keys")) {
        this.loadedAt = change.version;
        return;
      }
    }
    // The version before reading: a commit racing the read moves the feed again, and the next use re-reads.
    const version = changes.version();
    const rows = await this.useNewest(await unretiredRows(this.deps.db));
    const next = new Map<string, LoadedKey>();
    for (const row of rows) next.set(row.kid, this.keys.get(row.kid) ?? loadVerifier(row));
    this.keys = next;
    this.loadedAt = version;
  }

  /**
   * Loads the key set now and throws MasterKeyMismatchError when this instance could not sign: `serve` calls
   * it before listening, so an instance with the wrong master key stops with the reason instead of running.
   */
  async open(): Promise<void> {
    await this.refresh();
    if (this.signerError) throw this.signerError;
  }

  /** Signs an access token with the newest key. */
  async sign(claims: SignedClaims): Promise<string> {
    await this.refresh();
    if (!this.signer) return Promise.reject(this.signerError);
    return this.signer(claims);
  }

  /** True while `kid` may still verify (it was not retired). */
  async isActive(kid: string): Promise<boolean> {
    await this.refresh();
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
    await this.refresh();
    const key = this.keys.get(kid);
    if (!key) return null;
    const claims = await key.verify(token, { issuer, now: this.deps.clock.now() });
    return claims ? { kid, claims } : null;
  }

  /** The public JWKS document (RFC 7517). */
  async jwks(): Promise<{ keys: JsonWebKey[] }> {
    await this.refresh();
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }
}
