/**
 * `portico apikey create`: a `prt_` key for one project with explicit scopes (default MCP use only), acting
 * with those scopes ∩ its creator's current role (issue 11 #2). Shown once. An operator command: the key's
 * member need not be an admin (src/services/keys.ts `issueApiKey`).
 */
import { DEFAULT_KEY_SCOPES, isScope, SCOPES, type Scope } from "../../auth/scopes";
import { CHANNELS, type Channel } from "../../domain";
import { issueApiKey } from "../../services/keys";
import { UsageError } from "../args";
import { flag, intFlag, lines, PROJECT_FLAG, projectFlag, userFlag, withDeps, type Command } from "../command";

export const apikeyCreateCommand: Command = {
  spec: {
    name: "apikey create",
    summary: "create an API key for a project (printed once)",
    flags: {
      project: PROJECT_FLAG,
      email: { description: "the member the key acts as (their role is re-checked on every request)", value: "EMAIL", required: true },
      name: { description: "a label to recognise the key by", value: "NAME", required: true },
      channel: { description: `limit the key to one channel: ${CHANNELS.join(" or ")}`, value: "CHANNEL" },
      "expires-days": { description: "expire after this many days (default: never)", value: "DAYS" },
      scopes: {
        description: `space- or comma-separated scopes, each allowed by the member's role: ${SCOPES.join(", ")} (default: ${DEFAULT_KEY_SCOPES.join(" ")}, MCP use only)`,
        value: "SCOPES",
      },
    },
    details: 'With --json prints { "id": …, "key": "prt_…" }. Use it as: Authorization: Bearer prt_…',
  },
  async run(ctx) {
    const channel = ctx.args.flags.channel as Channel | undefined;
    if (channel !== undefined && !CHANNELS.includes(channel)) throw new UsageError("channel", `must be ${CHANNELS.join(" or ")}`);
    const days = intFlag(ctx, "expires-days", 3650);
    const scopesFlag = ctx.args.flags.scopes as string | undefined;
    let scopes: Scope[] | undefined;
    if (scopesFlag !== undefined) {
      const words = scopesFlag.split(/[\s,]+/).filter(Boolean);
      const unknown = words.filter((w) => !isScope(w));
      if (unknown.length || words.length === 0) throw new UsageError("scopes", `unknown scope ${unknown.join(", ") || "(none given)"}; use ${SCOPES.join(", ")}`);
      scopes = words as Scope[];
    }
    return withDeps(ctx, async (deps) => {
      const { org, project } = await projectFlag(ctx, deps);
      const user = await userFlag(ctx, deps);
      const expiresAt = days ? deps.clock.now() + days * 86_400_000 : undefined;
      const { id, key } = await issueApiKey(deps, { project, user }, { name: flag(ctx, "name"), channel, scopes, expiresAt });
      return {
        data: { id, key },
        text: lines(`API key ${id} for ${org.slug}/${project.slug}, acting as ${user.email} with scopes ${(scopes ?? DEFAULT_KEY_SCOPES).join(" ")}. It is shown only now:`, `  ${key}`),
      };
    });
  },
};
