/**
 * `portico backup` while a load of tool calls runs, then `portico restore` into a fresh data dir and a
 * server on it (issue 12): the restored database holds the same rows as the live one had (a consistent
 * snapshot: every restored audit row is in the live database unchanged), tool secrets still decrypt with
 * the key restored beside it, and an OAuth grant made before the backup keeps working — its access token
 * is accepted and its refresh token rotates.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers";
import { obtainTokens, signIn, tokenCall } from "./support/oauth";
import { freePort, PASSWORD, portico, serve, type ServeChild } from "./support/portico";

setDefaultTimeout(120_000);

const SECRET = "backup-restore-s3cret-value";
const servers: ServeChild[] = [];
afterAll(async () => {
  for (const s of servers) if (s.proc.exitCode === null) await s.kill9();
});

async function mcpCall(url: string, bearer: string, id: number): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "check", arguments: { n: id } } }),
  });
  return res.json();
}

const STABLE_TABLES = ["users", "orgs", "memberships", "projects", "tools", "versions", "grants", "api_keys", "tool_secrets", "signing_keys", "oauth_clients"];

function rows(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.query(sql).all();
  } finally {
    db.close();
  }
}

describe("backup under load, restore, serve again", () => {
  test("same rows, working secrets, working OAuth grants", async () => {
    const manifest = join(tempDir(), "m.json");
    writeFileSync(
      manifest,
      JSON.stringify({
        tools: [
          {
            name: "check", kind: "script", description: "Says whether the secret arrived.", secrets: ["TOKEN"],
            inputSchema: { type: "object", properties: { n: { type: "number" } } },
            script: `export default async (i, env) => ({ n: i.n, ok: env.secrets.TOKEN === ${JSON.stringify(SECRET)} })`,
          },
        ],
      }),
    );
    const secrets = join(tempDir(), "secrets.json");
    writeFileSync(secrets, JSON.stringify({ TOKEN: SECRET }));
    const dataDir = tempDir("portico-live-");
    const owner = { email: "owner@acme.example", password: PASSWORD };
    await portico(dataDir, "user", "create", "--email", owner.email, "--password", owner.password);
    await portico(dataDir, "org", "create", "--slug", "acme", "--owner", owner.email);
    await portico(dataDir, "project", "create", "--org", "acme", "--slug", "shop");
    await portico(dataDir, "project", "import", "--project", "acme/shop", "--file", manifest, "--secrets", secrets, "--channel", "production");
    await portico(dataDir, "publish", "--project", "acme/shop", "--as", owner.email);
    const p = { owner, key: (await portico(dataDir, "apikey", "create", "--project", "acme/shop", "--email", owner.email, "--name", "load")).key as string };

    const port = await freePort();
    const live = await serve(dataDir, ["--port", String(port)]);
    servers.push(live);
    const mcpUrl = `${live.url}/acme/shop`;
    const jar = await signIn(live.url, p.owner.email, p.owner.password);
    const tokens = await obtainTokens(live.url, jar, mcpUrl);
    expect((await mcpCall(mcpUrl, tokens.access_token, 1)).result.structuredContent).toEqual({ n: 1, ok: true });

    // Load: tool calls with the API key until the backup is done.
    let stop = false;
    let calls = 0;
    const load = (async () => {
      while (!stop) {
        // A pooled keep-alive socket can be reset under load (seen once in CI, never locally): retry that one
        // call only while the server process is alive — a crash still fails the test.
        const id = ++calls;
        const r = await mcpCall(mcpUrl, p.key, id).catch((err) => {
          if (err?.code !== "ECONNRESET" || live.proc.exitCode !== null) throw err;
          return mcpCall(mcpUrl, p.key, id);
        });
        if (!r.result?.structuredContent?.ok) throw new Error(`call failed under load: ${JSON.stringify(r)}`);
      }
    })();
    while (calls < 50) await Bun.sleep(10);
    const backupFile = join(tempDir("portico-backups-"), "portico.db");
    const made = await portico(dataDir, "backup", "--out", backupFile);
    const during = calls;
    while (calls < during + 50) await Bun.sleep(10);
    stop = true;
    await load;
    expect(made).toMatchObject({ file: backupFile, keyFile: `${backupFile}.key`, warning: null });
    expect(await live.stop()).toBe(0);

    // Same rows: every table that did not change under load is identical; audit rows are a consistent prefix.
    const liveDb = join(dataDir, "portico.db");
    for (const table of STABLE_TABLES) expect({ table, rows: rows(backupFile, `SELECT * FROM ${table} ORDER BY 1`) }).toEqual({ table, rows: rows(liveDb, `SELECT * FROM ${table} ORDER BY 1`) });
    const backedUp = rows(backupFile, "SELECT * FROM audit_events ORDER BY id") as Array<{ id: number }>;
    const all = rows(liveDb, "SELECT * FROM audit_events ORDER BY id") as Array<{ id: number }>;
    expect(backedUp.length).toBeGreaterThan(50);
    expect(backedUp.length).toBeLessThan(all.length);
    expect(all.slice(0, backedUp.length)).toEqual(backedUp);

    // Restore into a fresh dir and serve it at the same public URL (token audiences name it).
    const restoredDir = join(tempDir("portico-restored-"), "data");
    const restored = await portico(restoredDir, "restore", backupFile);
    expect(restored.keyFile).toBe(join(restoredDir, "secret.key"));
    const again = await serve(restoredDir, ["--port", String(port)]);
    servers.push(again);
    expect(again.url).toBe(live.url);
    // Secrets decrypt; the grant made before the backup still works, and its refresh token rotates.
    expect((await mcpCall(mcpUrl, p.key, 9001)).result.structuredContent).toEqual({ n: 9001, ok: true });
    expect((await mcpCall(mcpUrl, tokens.access_token, 9002)).result.structuredContent).toEqual({ n: 9002, ok: true });
    const refreshed = await tokenCall(again.url, { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: tokens.clientId });
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { access_token: string };
    expect((await mcpCall(mcpUrl, pair.access_token, 9003)).result.structuredContent).toEqual({ n: 9003, ok: true });
    expect(again.errorLogs()).toEqual([]);
    expect(await again.stop()).toBe(0);
  });
});
