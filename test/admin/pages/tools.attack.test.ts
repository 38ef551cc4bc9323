/**
 * Issue 11 #1: production secret values are set by admins and owners only. The tool editor let a
 * developer overwrite the value production calls use; a developer's form now carries draft values only,
 * and a production value in it is refused before anything is saved.
 */
import { describe, expect, test } from "bun:test";
import { postForm } from "../../helpers";
import { seededApp } from "../fixtures";

const w = seededApp();
const ADMIN_VALUE = "admin-set-prod-5582";
const EVIL = "developer-chosen-1111";
const form = {
  kind: "http", name: "lookup", description: "Looks things up", inputSchema: '{"type":"object","properties":{}}',
  url: "https://api.example.com/lookup", headers: '{"Authorization":"Bearer {{secrets.TOKEN}}"}', allowedDomains: "api.example.com", secrets: "TOKEN",
};

describe("production secret values on the tool editor", () => {
  test("attack: a developer cannot set a production secret value from the tool editor", async () => {
    const dev = w.members.developer;
    expect((await postForm(w.app, "/admin/acme/shop/tools/new", { ...form, csrf: dev.csrf }, dev.cookie)).status).toBe(303);
    // The admin's production value (the store's 5th argument is the channel).
    await w.deps.tools.secrets.setSecret(w.project.id, "lookup", "TOKEN", ADMIN_VALUE, "production");

    // Both the per-channel field and the editor's former single field.
    const res = await postForm(w.app, "/admin/acme/shop/tools/lookup", { ...form, csrf: dev.csrf, "secret.production.TOKEN": EVIL, "secret.TOKEN": EVIL }, dev.cookie);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(EVIL);
    expect(await w.deps.tools.secrets.loadSecrets(w.project.id, "lookup", "production")).toEqual({ TOKEN: ADMIN_VALUE });
  });
});
