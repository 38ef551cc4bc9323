/**
 * Issue 11 #1: production secret values are set by admins and owners only. Through the JSON API a
 * developer could overwrite (or remove) the value production calls use; now only draft values are theirs.
 */
import { describe, expect, test } from "bun:test";
import { seededApp } from "../admin/fixtures";
import { call } from "./client";

const w = seededApp();
const P = "/projects/acme/shop";
const ADMIN_VALUE = "admin-set-prod-4471";
const EVIL = "developer-chosen-0000";

describe("production secret values through the API", () => {
  test("attack: a developer cannot set or remove a production secret value through the API", async () => {
    const dev = w.members.developer;
    const tool = { name: "paid", kind: "script", description: "Charges", script: "export default () => 1", secrets: ["TOKEN"] };
    expect((await call(w.app, "POST", `${P}/tools`, { as: dev, body: tool })).status).toBe(201);
    expect((await call(w.app, "PUT", `${P}/tools/paid/secrets/TOKEN`, { as: w.members.admin, body: { value: ADMIN_VALUE, channel: "production" } })).status).toBe(204);

    const set = await call(w.app, "PUT", `${P}/tools/paid/secrets/TOKEN`, { as: dev, body: { value: EVIL, channel: "production" } });
    expect(set.status).toBe(403);
    const removed = await call(w.app, "DELETE", `${P}/tools/paid/secrets/TOKEN?channel=production`, { as: dev });
    expect(removed.status).toBe(403);
    // The store's 3rd argument is the channel: production still holds the admin's value.
    expect(await w.deps.tools.secrets.loadSecrets(w.project.id, "paid", "production")).toEqual({ TOKEN: ADMIN_VALUE });
  });
});
