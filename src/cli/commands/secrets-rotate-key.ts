/** `portico secrets rotate-key`: re-encrypt every tool secret with a new master key, in one transaction. */
import { parseKey } from "../../tools/secret-key";
import { rotateSecretKey } from "../../tools/secrets";
import { assertMasterKeyOpensSigningKeys, resealSigningKeys } from "../../oauth/keys";
import { resealAuditSigningKeys } from "../../audit/signing";
import { lines, withDeps, type Command } from "../command";

export const secretsRotateKeyCommand: Command = {
  spec: {
    name: "secrets rotate-key",
    summary: "re-encrypt all tool secrets with a new master key",
    flags: {
      "new-key": { description: "the new key, base64 of 32 bytes (default: a random one)", value: "BASE64" },
    },
    details: [
      "With the key file (data dir/secret.key) the file is replaced: back up the new one.",
      "With PORTICO_SECRET_KEY the new key is printed: set it before the server's next start.",
    ].join("\n"),
  },
  async run(ctx) {
    const newKey = ctx.args.flags["new-key"] === undefined ? undefined : parseKey(ctx.args.flags["new-key"], "new-key");
    const fromEnv = Boolean(ctx.config.secretKey);
    const { key, rotated } = await withDeps(ctx, async (deps) => {
      // A wrong master key would rotate into a new key that still opens none of the stored signing keys:
      // refuse with the key ids (issue 15) before any file or row changes.
      await assertMasterKeyOpensSigningKeys(deps);
      const result = await rotateSecretKey(deps, newKey);
      // The OAuth signing keys are sealed with the same master key (src/oauth/key-seal.ts).
      await resealSigningKeys(deps, Buffer.from(result.key, "base64"));
      // So are the audit signing keys (src/audit/signing.ts).
      await resealAuditSigningKeys(deps, Buffer.from(result.key, "base64"));
      return result;
    });
    return {
      data: { rotated, source: fromEnv ? "env" : "file", ...(fromEnv ? { key } : {}) },
      text: fromEnv
        ? lines(`Re-encrypted ${rotated} secret(s). Set this before the next start (the old key no longer works):`, `  PORTICO_SECRET_KEY=${key}`)
        : lines(`Re-encrypted ${rotated} secret(s) and replaced ${ctx.config.dataDir}/secret.key.`, "Back up the new key file together with the database."),
    };
  },
};
