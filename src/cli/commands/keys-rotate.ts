/**
 * `portico keys rotate`: add a new JWT signing key (and optionally retire the old ones). A running server
 * on the same data dir re-reads its key set as soon as the change feed shows the commit
 * (docs/architecture.md, "Change feed"), so it refuses tokens of a retired key from its very next request.
 * With a master key that does not open the newest stored key it refuses (issue 15: its new key would be one
 * the other instances cannot open), unless `--discard-unreadable` says the old master key is truly lost.
 */
import { rotateSigningKey } from "../../oauth/keys";
import { lines, withDeps, type Command } from "../command";

export const keysRotateCommand: Command = {
  spec: {
    name: "keys rotate",
    summary: "add a new access-token signing key",
    flags: {
      "retire-previous": { description: "retire the old keys: every token they signed stops working (a running server too, from its next request; use after a leak)", type: "boolean" },
      "discard-unreadable": { description: "the master key that sealed the stored keys is lost: retire the keys this master key cannot open instead of refusing", type: "boolean" },
    },
    details: [
      "Without --retire-previous, tokens already issued keep working until they expire. A running server picks the new key up on its next request.",
      "Refused when this master key cannot open the newest stored key (a different PORTICO_SECRET_KEY or secret.key than the data was written with):",
      "use the right key. --discard-unreadable is for a key that is truly lost; tool secrets sealed with it must be entered again.",
    ].join("\n"),
  },
  async run(ctx) {
    const retirePrevious = Boolean(ctx.args.switches["retire-previous"]);
    const discardUnreadable = Boolean(ctx.args.switches["discard-unreadable"]);
    const { kid, retired, discarded } = await withDeps(ctx, async (deps) => (await rotateSigningKey(deps, { retirePrevious, discardUnreadable })));
    return {
      data: { kid, retired, ...(discardUnreadable ? { discarded } : {}) },
      text: lines(
        `New signing key ${kid}.`,
        ...(discardUnreadable ? [`Retired ${discarded} key(s) this master key cannot open: tokens they signed stop working.`] : []),
        retirePrevious
          ? `Retired ${retired} previous key(s): tokens they signed are refused by every server on this data dir, a running server from its next request.`
          : "Previous keys still verify tokens they signed until those expire.",
      ),
    };
  },
};
