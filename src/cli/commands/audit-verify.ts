/**
 * `portico audit verify`: recompute the audit chains (src/audit/verify.ts; docs/architecture.md: Audit chain)
 * and name the first row that breaks one — edited, deleted or inserted. Exits 1 when any chain is broken,
 * so a cron job or CI step can alarm on it. Reads only; safe while a server runs on the data dir.
 */
import { readFileSync } from "node:fs";
import { checkSignedHead, signedHeadSchema } from "../../audit/signing";
import { verifyChains, type ChainReport } from "../../audit/verify";
import { UsageError } from "../args";
import { getOrg } from "../../projects/orgs";
import { lines, projectFlag, withDeps, type Command } from "../command";

export const auditVerifyCommand: Command = {
  spec: {
    name: "audit verify",
    summary: "check that the audit log was not edited, and name the first row that was",
    flags: {
      project: { description: "only this project's calls, ORG/PROJECT", value: "ORG/PROJECT" },
      org: { description: "only this org's events (members, roles, keys, publishes…)", value: "ORG" },
      statement: { description: "a signed head from `portico audit head`: check that nothing up to it changed, then its chain", value: "FILE" },
    },
    details:
      "Each audit row is chained to the one before it by a hash (one chain per project for calls, one per org for org events). " +
      "Exit code 1 names the first broken row of each broken chain. Pruned rows are covered by a checkpoint; erased payloads are allowed.",
  },
  async run(ctx) {
    if (ctx.args.flags.statement) return verifyStatement(ctx, ctx.args.flags.statement);
    return withDeps(ctx, async (deps) => {
      const only: { projectId?: string; orgId?: string } = {};
      const names = new Map<string, string>();
      if (ctx.args.flags.project) {
        const { org, project } = await projectFlag(ctx, deps);
        only.projectId = project.id;
        names.set(project.id, `${org.slug}/${project.slug}`);
      } else if (ctx.args.flags.org) {
        const org = await getOrg(deps.db, ctx.args.flags.org);
        only.orgId = org.id;
        names.set(org.id, org.slug);
      }
      const reports = await verifyChains(deps.db, only);
      const broken = reports.filter((r) => !r.ok);
      const label = (r: ChainReport) => `${r.kind} ${names.get(r.id) ?? r.id}`;
      const line = (r: ChainReport) =>
        r.ok
          ? `✓ ${label(r)}: ${r.rows} row(s) verified, head ${r.head.seq} ${r.head.hash.slice(0, 16)}…${r.checkpoint ? ` (from checkpoint ${r.checkpoint.seq})` : ""}${r.unchained ? `; ${r.unchained} older row(s) predate chaining` : ""}${r.erasedPayloads ? `; ${r.erasedPayloads} payload(s) erased` : ""}`
          : `✗ ${label(r)}: ${r.problem!.message}`;
      return {
        data: { ok: broken.length === 0, chains: reports },
        text: lines(
          ...(reports.length ? reports.map(line) : ["No audit rows yet: nothing to verify."]),
          broken.length ? `${broken.length} of ${reports.length} chain(s) broken.` : `All ${reports.length} chain(s) intact.`,
        ),
        exitCode: broken.length ? 1 : 0,
      };
    });
  },
};

/** `--statement FILE`: the signature with the stored key, the row at the signed position, then the chain. */
async function verifyStatement(ctx: Parameters<Command["run"]>[0], file: string) {
  let parsed;
  try {
    parsed = signedHeadSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    throw new UsageError("statement", `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!parsed.success) throw new UsageError("statement", `${file} is not a signed audit head (from portico audit head)`);
  const signed = parsed.data;
  const check = await withDeps(ctx, (deps) => checkSignedHead(deps.db, signed));
  const s = signed.statement;
  const signature = { valid: "✓ signature valid", invalid: "✗ signature invalid: the statement was altered or signed by another key", "unknown-key": `✗ signed by key ${s.kid}, which this data dir does not have` }[check.signature];
  return {
    data: check,
    text: lines(
      `Statement: ${s.kind} ${s.name}, position ${s.seq}, signed ${s.signedAt} by ${s.kid}.`,
      signature,
      `${check.position === "matches" ? "✓" : "✗"} ${check.message}`,
      check.chain.ok ? `✓ the chain verifies from its checkpoint to its head (position ${check.chain.head.seq})` : `✗ ${check.chain.problem!.message}`,
      check.ok ? "Nothing up to the signed head changed." : "The log does not match the signed statement.",
    ),
    exitCode: check.ok ? 0 : 1,
  };
}
