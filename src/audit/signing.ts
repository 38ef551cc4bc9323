/**
 * Signed audit heads (issue 18; docs/architecture.md: Audit chain). An admin notes down, or downloads, a statement
 * "chain C had N rows ending in hash H at time T", signed with Ed25519 by a key kept only for this: not the
 * OAuth token key, which `keys rotate --retire-previous` retires. Audit keys are never retired or deleted, and
 * their public parts are published (`/.well-known/portico-audit-keys`), so a statement signed years ago still
 * verifies — and proves that no row up to N was edited, deleted or inserted since, even by someone who
 * recomputed every later hash. Private parts are sealed with the master key, like the OAuth keys.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { first, transaction } from "../db/query";
import type { Clock } from "../lib/clock";
import { newId } from "../lib/ids";
import { needsSealing, openPrivateJwk, resealedWith, sealPrivateJwk, type MasterKeys } from "../oauth/key-seal";
import { orgChain, projectChain } from "./chain";
import { verifyOrgChain, verifyProjectChain, type ChainReport } from "./verify";

export const STATEMENT_TYPE = "portico.audit-head/v1";

export interface AuditSigningDeps {
  db: Db;
  tools: { secrets: MasterKeys };
  clock: Clock;
}

/** What is signed: the JSON text of this object, keys in this order. */
export const headStatementSchema = z.object({
  type: z.literal(STATEMENT_TYPE),
  /** The server's public URL when signed (who says so). */
  issuer: z.string(),
  chain: z.string().regex(/^[po]:[\w-]+$/),
  kind: z.enum(["project", "org"]),
  /** Human names at signing time: `org/project` or `org`. */
  name: z.string(),
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string(),
  kid: z.string(),
});
export type HeadStatement = z.infer<typeof headStatementSchema>;

export const signedHeadSchema = z.object({
  statement: headStatementSchema,
  /** Ed25519 over the UTF-8 of `canonical(statement)`, base64url. */
  signature: z.string().regex(/^[\w-]+$/),
  /** The signing key's public JWK, for convenience: a verifier must take the key from a source it trusts. */
  publicKey: z.record(z.string(), z.unknown()),
});
export type SignedHead = z.infer<typeof signedHeadSchema>;

/** The bytes a signature covers: the statement's fields in schema order (independent of how a file was formatted). */
export function canonical(statement: HeadStatement): Buffer {
  const ordered = Object.fromEntries(Object.keys(headStatementSchema.shape).map((k) => [k, statement[k as keyof HeadStatement]]));
  return Buffer.from(JSON.stringify(ordered), "utf8");
}

/** The newest audit signing key, created on first use. */
async function currentKey(deps: AuditSigningDeps) {
  const { auditSigningKeys } = deps.db.t;
  const newest = async () => first(deps.db.select().from(auditSigningKeys).orderBy(desc(auditSigningKeys.createdAt), desc(auditSigningKeys.kid)).limit(1));
  const found = await newest();
  if (found) return found;
  await ensureAuditSigningKey(deps);
  return (await newest())!;
}

/**
 * Creates the audit signing key if there is none (at start, so every data dir has its public part from day one).
 * Two instances starting at once may both make one: harmless, every key is kept and the newest signs.
 */
export async function ensureAuditSigningKey(deps: AuditSigningDeps): Promise<void> {
  const { auditSigningKeys } = deps.db.t;
  if (await first(deps.db.select({ kid: auditSigningKeys.kid }).from(auditSigningKeys).limit(1))) return;
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const kid = newId("audk");
  await deps.db.insert(auditSigningKeys).values({
    kid,
    publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" },
    privateJwk: sealPrivateJwk(deps.tools.secrets, kid, privateKey.export({ format: "jwk" })),
    createdAt: deps.clock.now(),
  });
}

/** Every audit key's public JWK, oldest first: what `/.well-known/portico-audit-keys` publishes. */
export async function auditPublicKeys(db: Db): Promise<JsonWebKey[]> {
  const { auditSigningKeys } = db.t;
  return (await db.select({ publicJwk: auditSigningKeys.publicJwk }).from(auditSigningKeys).orderBy(auditSigningKeys.createdAt)).map((r) => r.publicJwk as JsonWebKey);
}

/** Signs the current head of a chain. */
export async function signHead(deps: AuditSigningDeps, opts: { chain: string; name: string; issuer: string }): Promise<SignedHead> {
  const { auditChains } = deps.db.t;
  const head = await first(deps.db.select().from(auditChains).where(eq(auditChains.chain, opts.chain)));
  const key = await currentKey(deps);
  const jwk = openPrivateJwk(deps.tools.secrets, key.kid, key.privateJwk);
  if (needsSealing(deps.tools.secrets, key.privateJwk)) {
    const { auditSigningKeys } = deps.db.t;
    await deps.db.update(auditSigningKeys).set({ privateJwk: sealPrivateJwk(deps.tools.secrets, key.kid, jwk) }).where(eq(auditSigningKeys.kid, key.kid));
  }
  const statement: HeadStatement = {
    type: STATEMENT_TYPE,
    issuer: opts.issuer,
    chain: opts.chain,
    kind: opts.chain.startsWith("p:") ? "project" : "org",
    name: opts.name,
    seq: head?.seq ?? 0,
    hash: head?.hash ?? "0".repeat(64),
    signedAt: new Date(deps.clock.now()).toISOString(),
    kid: key.kid,
  };
  const signature = sign(null, canonical(statement), createPrivateKey({ key: jwk, format: "jwk" })).toString("base64url");
  return { statement, signature, publicKey: key.publicJwk as Record<string, unknown> };
}

export const signProjectHead = (deps: AuditSigningDeps, projectId: string, name: string, issuer: string) => signHead(deps, { chain: projectChain(projectId), name, issuer });
export const signOrgHead = (deps: AuditSigningDeps, orgId: string, name: string, issuer: string) => signHead(deps, { chain: orgChain(orgId), name, issuer });

export interface StatementCheck {
  /** The signature verifies with the stored public key named by `kid`. */
  signature: "valid" | "invalid" | "unknown-key";
  /** What the log says at the statement's position now. */
  position: "matches" | "differs" | "pruned" | "missing";
  message: string;
  /** The chain from its checkpoint to its head, verified now. */
  chain: ChainReport;
  ok: boolean;
}

/**
 * Checks a signed head against this database: the signature with the stored public key (never the one inside the
 * file: whoever edits the log could sign with a key of their own), then the row at the statement's position.
 */
export async function checkSignedHead(db: Db, signed: SignedHead): Promise<StatementCheck> {
  const { statement } = signed;
  const { auditSigningKeys, auditEvents, orgAuditEvents, auditChains } = db.t;
  const key = await first(db.select().from(auditSigningKeys).where(eq(auditSigningKeys.kid, statement.kid)));
  let signature: StatementCheck["signature"] = "unknown-key";
  if (key) {
    const publicKey = createPublicKey({ key: key.publicJwk as JsonWebKey, format: "jwk" });
    signature = verify(null, canonical(statement), publicKey, Buffer.from(signed.signature, "base64url")) ? "valid" : "invalid";
  }
  const id = statement.chain.slice(2);
  const chain = statement.kind === "project" ? await verifyProjectChain(db, id) : await verifyOrgChain(db, id);
  const head = await first(db.select().from(auditChains).where(eq(auditChains.chain, statement.chain)));
  let position: StatementCheck["position"];
  let message: string;
  if (statement.seq === 0) {
    position = "matches";
    message = "the statement was signed before the chain had rows";
  } else if (head && head.prunedSeq >= statement.seq) {
    position = head.prunedSeq === statement.seq && head.prunedHash === statement.hash ? "matches" : head.prunedSeq === statement.seq ? "differs" : "pruned";
    message =
      position === "pruned"
        ? `row ${statement.seq} was pruned by retention (checkpoint at ${head.prunedSeq}): the rows it vouched for are gone`
        : position === "matches"
          ? `the retention checkpoint at position ${statement.seq} carries the signed hash`
          : `the retention checkpoint at position ${statement.seq} carries another hash than the signed one: rows before it were changed`;
  } else {
    const row =
      statement.kind === "project"
        ? await first(db.select({ id: auditEvents.id, hash: auditEvents.hash }).from(auditEvents).where(and(eq(auditEvents.projectId, id), eq(auditEvents.chainSeq, statement.seq))))
        : await first(db.select({ id: orgAuditEvents.id, hash: orgAuditEvents.hash }).from(orgAuditEvents).where(and(eq(orgAuditEvents.orgId, id), eq(orgAuditEvents.chainSeq, statement.seq))));
    if (!row) {
      position = "missing";
      message = `no row at position ${statement.seq} any more: rows were deleted since the statement was signed`;
    } else if (row.hash === statement.hash) {
      position = "matches";
      message = `row ${row.id} at position ${statement.seq} still carries the signed hash: nothing up to it changed`;
    } else {
      position = "differs";
      message = `row ${row.id} at position ${statement.seq} carries another hash than the signed one: a row up to it was edited, deleted or inserted, and later hashes recomputed`;
    }
  }
  const ok = signature === "valid" && position === "matches" && chain.ok;
  return { signature, position, message, chain, ok };
}

/**
 * Re-seals every audit key with `next` after `portico secrets rotate-key` replaced the master key. A key the old
 * master key cannot open is left alone: its public part still verifies old statements.
 */
export async function resealAuditSigningKeys(deps: Pick<AuditSigningDeps, "db" | "tools">, next: Buffer): Promise<number> {
  return await transaction(deps.db, async (tx) => {
    const { auditSigningKeys } = tx.t;
    const resealed = resealedWith(deps.tools.secrets, next, await tx.select().from(auditSigningKeys));
    for (const row of resealed) await tx.update(auditSigningKeys).set({ privateJwk: row.privateJwk }).where(eq(auditSigningKeys.kid, row.kid));
    return resealed.length;
  });
}
