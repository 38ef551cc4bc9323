/**
 * `portico keys rotate`: add a new JWT signing key (and optionally retire the old ones). A running server
 * re-reads its key set at most every 30 s (src/oauth/keys.ts RELOAD_MS), so it keeps accepting tokens of a
 * retired key for up to that long; the output says so rather than "now" (issue 11 #16; making it
 * immediate belongs to the change-feed issue).
 */
import { rotateSigningKey } from "../../oauth/keys";
import { lines, withDeps, type Command } from "../command";

export const keysRotateCommand: Command = {
  spec: {
    name: "keys rotate",
    summary: "add a new access-token signing key",
    flags: {
      "retire-previous": { description: "retire the old keys: every token they signed stops working (a running server: within 30 s; use after a leak)", type: "boolean" },
    },
    details: "Without --retire-previous, tokens already issued keep working until they expire. A running server picks the new key up within 30 s.",
  },
  async run(ctx) {
    const retirePrevious = Boolean(ctx.args.switches["retire-previous"]);
    const { kid, retired } = await withDeps(ctx, (deps) => rotateSigningKey(deps, { retirePrevious }));
    return {
      data: { kid, retired },
      text: lines(
        `New signing key ${kid}.`,
        retirePrevious
          ? `Retired ${retired} previous key(s): a server started from now on refuses tokens they signed; a running server keeps accepting them for up to 30 s more.`
          : "Previous keys still verify tokens they signed until those expire.",
      ),
    };
  },
};
