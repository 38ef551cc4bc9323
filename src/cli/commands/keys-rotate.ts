/** `portico keys rotate`: add a new JWT signing key (and optionally retire the old ones at once). */
import { rotateSigningKey } from "../../oauth/keys";
import { lines, withDeps, type Command } from "../command";

export const keysRotateCommand: Command = {
  spec: {
    name: "keys rotate",
    summary: "add a new access-token signing key",
    flags: {
      "retire-previous": { description: "retire the old keys now: every token they signed stops working (use after a leak)", type: "boolean" },
    },
    details: "Without --retire-previous, tokens already issued keep working until they expire. A running server picks the new key up within 30 s.",
  },
  async run(ctx) {
    const retirePrevious = Boolean(ctx.args.switches["retire-previous"]);
    const { kid, retired } = await withDeps(ctx, (deps) => rotateSigningKey(deps, { retirePrevious }));
    return {
      data: { kid, retired },
      text: lines(`New signing key ${kid}.`, retirePrevious ? `Retired ${retired} previous key(s): tokens they signed no longer work.` : "Previous keys still verify tokens they signed until those expire."),
    };
  },
};
