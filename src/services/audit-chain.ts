/**
 * The audit chains as the faces show them (issue 18; docs/architecture.md: Audit chain): a chain's head (its
 * position and hash, to note down), a verification on request, and a signed head statement to download. The
 * project's chain is its calls (readable by developers, like the log); the org's is its events (admins).
 * Verification reads the whole chain from its checkpoint, so it runs when asked, not on every page view.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { GENESIS, orgChain, projectChain, type ChainHead } from "../audit/chain";
import { signOrgHead, signProjectHead, type SignedHead } from "../audit/signing";
import { verifyOrgChain, verifyProjectChain, type ChainReport } from "../audit/verify";
import type { Db } from "../db/client";
import { first } from "../db/query";
import { READ_AUDIT } from "./audit";
import { CAN, orgOperation, projectOperation, READ_ONLY } from "./operation";

export interface ChainStatus {
  head: ChainHead;
  /** Where verification starts after retention pruned a prefix; null before any pruning. */
  checkpoint: ChainHead | null;
  updatedAt: number | null;
  /** Present when verification was asked for. */
  verification?: ChainReport;
}

const StatusInput = z.object({ verify: z.coerce.boolean().default(false).describe("Recompute the whole chain and name the first broken row") });

async function status(db: Db, chain: string, verify: () => Promise<ChainReport>, wanted: boolean): Promise<ChainStatus> {
  const { auditChains } = db.t;
  const row = await first(db.select().from(auditChains).where(eq(auditChains.chain, chain)));
  return {
    head: row ? { seq: row.seq, hash: row.hash } : { seq: 0, hash: GENESIS },
    checkpoint: row && row.prunedSeq > 0 && row.prunedHash ? { seq: row.prunedSeq, hash: row.prunedHash } : null,
    updatedAt: row?.updatedAt ?? null,
    ...(wanted ? { verification: await verify() } : {}),
  };
}

export const projectChainStatus = projectOperation({
  name: "audit.chain",
  summary: "The project audit chain's head (position and hash) and, with verify, the result of recomputing it (developer)",
  what: "read the audit log",
  input: StatusInput,
  permission: READ_AUDIT,
  audit: READ_ONLY,
  run: (deps, access, i) => status(deps.db, projectChain(access.project.id), () => verifyProjectChain(deps.db, access.project.id), i.verify),
});

export const signProjectChainHead = projectOperation({
  name: "audit.sign-head",
  summary: "A signed statement of the project audit chain's current head (Ed25519, the audit key), to prove later that nothing before it changed (admin)",
  what: "sign the audit log's head",
  input: z.object({}),
  permission: CAN.manageSettings,
  audit: READ_ONLY,
  run: (deps, access): Promise<SignedHead> => signProjectHead(deps, access.project.id, `${access.org.slug}/${access.project.slug}`, deps.config.publicUrl),
});

export const orgChainStatus = orgOperation({
  name: "org.audit-chain",
  summary: "The org audit chain's head (position and hash) and, with verify, the result of recomputing it (admin)",
  what: "read the organization's audit log",
  input: StatusInput,
  permission: CAN.manageSettings,
  audit: READ_ONLY,
  run: (deps, access, i) => status(deps.db, orgChain(access.org.id), () => verifyOrgChain(deps.db, access.org.id), i.verify),
});

export const signOrgChainHead = orgOperation({
  name: "org.audit-sign-head",
  summary: "A signed statement of the org audit chain's current head (admin)",
  what: "sign the organization audit log's head",
  input: z.object({}),
  permission: CAN.manageSettings,
  audit: READ_ONLY,
  run: (deps, access): Promise<SignedHead> => signOrgHead(deps, access.org.id, access.org.slug, deps.config.publicUrl),
});
