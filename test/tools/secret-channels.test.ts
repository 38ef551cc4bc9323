/** Issue 11 #1: secret values per channel in the store and the runtime (positive behaviour; the attacks are in *.attack.test.ts). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rotateSecretKey } from "../../src/tools/secrets";
import { script, text, toolsHarness, type ToolsHarness } from "./fixtures";

let h: ToolsHarness;
beforeAll(async () => {
  h = await toolsHarness();
});
afterAll(() => h.close());

const reader = script("export default (i, env) => env.secrets.TOKEN.length", { name: "reader", secrets: ["TOKEN"] });

describe("secret values per channel", () => {
  test("each channel's calls see only that channel's value; a missing one names the secret and the channel", async () => {
    const s = h.deps.tools.secrets;
    await s.setSecret(h.projectId, "reader", "TOKEN", "draft-value", "draft");
    expect(await s.loadSecrets(h.projectId, "reader", "production")).toEqual({});
    expect(text(await h.call(reader, {}, undefined, "draft"))).toBe("11");
    const prod = await h.call(reader, {}, undefined, "production");
    expect(prod.errorClass).toBe("configuration");
    expect(prod.error).toBe("secret TOKEN is not set for the production channel: an admin must set the production value in the tool's settings");
    await s.setSecret(h.projectId, "reader", "TOKEN", "production-value", "production");
    expect(text(await h.call(reader, {}, undefined, "production"))).toBe("16");
    expect(text(await h.call(reader, {}, undefined, "draft"))).toBe("11");
    expect(await s.deleteSecret(h.projectId, "reader", "TOKEN", "draft")).toBe(true);
    const draft = await h.call(reader, {}, undefined, "draft");
    expect(draft.error).toBe("secret TOKEN is not set for the draft channel: a developer can add a draft value in the tool's settings");
    expect(await s.listSecretNames(h.projectId, "reader", "production")).toEqual(["TOKEN"]);
  });

  test("a draft ciphertext copied into a production row does not decrypt (the channel is in the associated data)", async () => {
    const s = h.deps.tools.secrets;
    await s.setSecret(h.projectId, "moved", "K", "draft-only-value", "draft");
    h.deps.db.$client.run("INSERT INTO tool_secrets (project_id, tool_name, channel, name, ciphertext, iv, key_id, updated_at) SELECT project_id, tool_name, 'production', name, ciphertext, iv, key_id, updated_at FROM tool_secrets WHERE tool_name = 'moved'");
    expect(await s.loadSecrets(h.projectId, "moved", "draft")).toEqual({ K: "draft-only-value" });
    await expect(s.loadSecrets(h.projectId, "moved", "production")).rejects.toThrow();
  });

  test("a channel other than draft or production is refused, never guessed", async () => {
    await expect(h.deps.tools.secrets.loadSecrets(h.projectId, "reader", "staging" as never)).rejects.toThrow(/unknown channel/);
  });

  test("rotate-key keeps both channels' values (and their channels)", async () => {
    const t = await toolsHarness();
    try {
      const s = t.deps.tools.secrets;
      await s.setSecret(t.projectId, "x", "A", "draft-alpha", "draft");
      await s.setSecret(t.projectId, "x", "A", "prod-alpha", "production");
      expect((await rotateSecretKey(t.deps)).rotated).toBe(2);
      expect(await s.loadSecrets(t.projectId, "x", "draft")).toEqual({ A: "draft-alpha" });
      expect(await s.loadSecrets(t.projectId, "x", "production")).toEqual({ A: "prod-alpha" });
    } finally {
      await t.close();
    }
  });
});
