/**
 * `portico audit head`: a signed statement of an audit chain's current head (src/audit/signing.ts), to keep
 * somewhere the database's owners cannot edit (a ticket, an email, a printout). `portico audit verify
 * --statement FILE` later proves that no row up to it changed.
 */
import { writeFileSync } from "node:fs";
import { signOrgHead, signProjectHead } from "../../audit/signing";
import { getOrg } from "../../projects/orgs";
import { UsageError } from "../args";
import { lines, projectFlag, withDeps, type Command } from "../command";

export const auditHeadCommand: Command = {
  spec: {
    name: "audit head",
    summary: "sign a statement of the audit log's current head, to prove later that nothing before it changed",
    flags: {
      project: { description: "the project's chain of calls, ORG/PROJECT", value: "ORG/PROJECT" },
      org: { description: "the org's chain of events", value: "ORG" },
      out: { description: "write the signed statement to this file (default: print it)", value: "FILE" },
    },
    details:
      "Signed with the data dir's audit key (Ed25519; public keys at /.well-known/portico-audit-keys, never retired). " +
      "Check it later with: portico audit verify --statement FILE",
  },
  async run(ctx) {
    const { project: projectRef, org: orgSlug, out } = ctx.args.flags;
    if (Boolean(projectRef) === Boolean(orgSlug)) throw new UsageError("project", "give either --project ORG/PROJECT or --org ORG");
    const signed = await withDeps(ctx, async (deps) => {
      if (projectRef) {
        const { org, project } = await projectFlag(ctx, deps);
        return signProjectHead(deps, project.id, `${org.slug}/${project.slug}`, deps.config.publicUrl);
      }
      const org = await getOrg(deps.db, orgSlug!);
      return signOrgHead(deps, org.id, org.slug, deps.config.publicUrl);
    });
    const text = JSON.stringify(signed, null, 2);
    if (out) writeFileSync(out, text + "\n", { mode: 0o644 });
    const { statement } = signed;
    return {
      data: signed,
      text: out
        ? lines(`Signed the head of ${statement.kind} ${statement.name}: position ${statement.seq}, hash ${statement.hash}.`, `Written to ${out}. Keep it where the database's owners cannot edit it.`)
        : text,
    };
  },
};
