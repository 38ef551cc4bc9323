/**
 * `portico keys rotate`: add a new JWT signing key (and optionally retire the old ones). A running server
 * on the same data dir re-reads its key set as soon as the change feed shows the commit
 * (docs/architecture.md, "Change feed"), so it refuses tokens of a retired key from its very next request.
 */
import { rotateSigningKey } from "../../oauth/keys";
import { lines, withDeps, type Command } from "../command";

export const keysRotateCommand: Command = {
  spec: {
    name: "keys rotate",
    summary: "add a new access-token signing key",
    flags: {
      "retire-previous": { description: "retire the old keys: every token they signed stops working (a running server too, from its next request; use after a leak)", type: "boolean" },
    },
    details: "Without --retire-previous, tokens already issued keep working until they expire. A running server picks the new key up on its next request.",
  },
  async run(ctx) {
    const retirePrevious = Boolean(ctx.args.switches["retire-previous"]);
    const { kid, retired } = await withDeps(ctx, (deps) => rotateSigningKey(deps, { retirePrevious }));
    return {
      data: { kid, retired },
      text: lines(
        `New signing key ${kid}.`,
        retirePrevious
          ? `Retired ${retired} previous key(s): tokens they signed are refused by every server on this data dir, a running server from its next request.`
          : "Previous keys still verify tokens they signed until those expire.",
      ),
    };
  },
};
