/**
 * Faults on a real `portico serve` child and its data dir:
 * - kill -9 in the middle of calls and revocations, restart on the same data dir and port: the database
 *   passes `PRAGMA integrity_check`, every acknowledged revocation still holds, and the only audit rows
 *   missing belong to calls acknowledged within the writer's last flush interval before the kill;
 * - SIGTERM in the middle of the same load loses nothing: every acknowledged call has its audit row;
 * - a read-only data dir and a full disk give a clear error and leave an intact database.
 * Slow, so outside `npm test`: `npm run test:e2e` runs it and slow/kill9-loop.e2e.ts (repeated kill -9 rounds).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FLUSH_INTERVAL_MS } from "../../src/audit/writer";
import { tempDir } from "../helpers";
import { DB_FILE, loadAndSignal, LOSS_WINDOW_SLACK_MS, revocationsNotHeld, serveOn } from "./support/faults";
import { call, makeCredentials, newBooks, revoke, type Target } from "./support/load";
import { freePort, MAIN, provision, ROOT, type Project } from "./support/portico";

setDefaultTimeout(120_000);

let project: Project;
let port: number;
let target: Target;

beforeAll(async () => {
  project = await provision({ manifestFile: join(import.meta.dir, "fixtures/shop-manifest.json") });
  port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  target = { base, mcpUrl: `${base}/${project.org}/${project.slug}`, org: project.org, slug: project.slug, ownerKey: project.key, email: project.owner.email, password: project.owner.password };
}, 60_000);

/** integrity_check on a copy of the database (and its WAL), so a read-only mount can be checked too. */
function integrityOf(dataDir: string): string {
  const copy = tempDir("portico-check-");
  for (const f of [DB_FILE, `${DB_FILE}-wal`]) if (existsSync(join(dataDir, f))) cpSync(join(dataDir, f), join(copy, f));
  const db = new Database(join(copy, DB_FILE));
  try {
    return (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
  } finally {
    db.close();
  }
}

describe("signals under load", () => {
  // Issue 18: durable audit (the default) answers a call only once its row is committed — kill -9 loses none.
  test("kill -9: clean database, acknowledged revocations hold, every acknowledged call has its audit row", async () => {
    const server = await serveOn(project.dataDir, port);
    const creds = await makeCredentials(target, 8, 6);
    const r = await loadAndSignal(server, target, creds, { loadMs: 2_500, signal: "SIGKILL" });
    console.log(`kill -9: ${r.books.acknowledged.size} calls acknowledged, ${r.auditRows} audit rows, ${r.lost} acknowledged calls without a row (oldest acknowledged ${r.lostWindowMs} ms before the kill; flush interval ${FLUSH_INTERVAL_MS} ms), ${r.books.revoked.length} revocations acknowledged`);
    expect(r.exitCode).not.toBe(0);
    expect(r.integrity).toBe("ok");
    expect(r.books.acknowledged.size).toBeGreaterThan(100);
    expect(r.books.revoked.length).toBeGreaterThan(5);
    expect(r.lost).toBe(0);
    expect([...r.books.statuses.keys()].filter((s) => s >= 500)).toEqual([]);

    const restarted = await serveOn(project.dataDir, port);
    try {
      expect((await fetch(`${target.base}/healthz`)).status).toBe(200);
      expect(await revocationsNotHeld(target, r.books)).toEqual([]);
      const books = newBooks();
      expect(await call(target, books, project.key)).toBe(200);
      const survivor = creds.find((c) => !c.revoked);
      if (survivor) expect(await call(target, books, survivor.bearer)).toBe(200);
    } finally {
      await restarted.stop();
    }
  });

  test("kill -9 with --audit-durability fast: audit loses at most the last flush interval", async () => {
    const server = await serveOn(project.dataDir, port, ["--audit-durability", "fast"]);
    const creds = await makeCredentials(target, 4, 2);
    const r = await loadAndSignal(server, target, creds, { loadMs: 1_500, signal: "SIGKILL" });
    console.log(`kill -9 (fast audit): ${r.books.acknowledged.size} calls acknowledged, ${r.lost} without a row (oldest ${r.lostWindowMs} ms before the kill)`);
    expect(r.integrity).toBe("ok");
    expect(r.lostWindowMs).toBeLessThanOrEqual(FLUSH_INTERVAL_MS + LOSS_WINDOW_SLACK_MS);
  });

  test("SIGTERM: every acknowledged call has its audit row", async () => {
    const server = await serveOn(project.dataDir, port);
    const creds = await makeCredentials(target, 4, 2);
    const r = await loadAndSignal(server, target, creds, { loadMs: 1_500, signal: "SIGTERM" });
    console.log(`SIGTERM: ${r.books.acknowledged.size} calls acknowledged, ${r.lost} without an audit row`);
    expect(r.exitCode).toBe(0);
    expect(r.integrity).toBe("ok");
    expect(r.books.acknowledged.size).toBeGreaterThan(50);
    expect(r.lost).toBe(0);
  });
});

/** Root can mount a tmpfs (and make it read-only); elsewhere the disk tests fall back or skip. */
const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];

function mountTmpfs(dir: string, sizeMb: number): boolean {
  mkdirSync(dir, { recursive: true });
  const ok = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]).exitCode === 0;
  if (ok) mounted.push(dir);
  return ok;
}

afterAll(() => {
  for (const dir of mounted) Bun.spawnSync(["umount", "-l", dir]);
});

/** `portico serve` on `dataDir`, expected to refuse to start: exit code and stderr. */
async function serveExpectingFailure(dataDir: string) {
  const proc = Bun.spawn([process.execPath, MAIN, "serve", "--data-dir", dataDir, "--port", "0", "--log-level", "warn"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, out, err };
}

describe("disk faults", () => {
  test("a read-only data dir: a clear error at start, the database untouched", async () => {
    const dir = tempDir("portico-ro-");
    const readOnly = isRoot && mountTmpfs(dir, 32);
    cpSync(project.dataDir, dir, { recursive: true });
    const before = readFileSync(join(dir, DB_FILE));
    if (readOnly) expect(Bun.spawnSync(["mount", "-o", "remount,ro", dir]).exitCode).toBe(0);
    else Bun.spawnSync(["chmod", "-R", "a-w", dir]);
    const r = await serveExpectingFailure(dir);
    console.log(`read-only data dir (${readOnly ? "read-only tmpfs" : "chmod a-w"}): exit ${r.code}: ${r.err.trim()}`);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/read-?only|permission|cannot write|not writable/i);
    expect(r.err + r.out).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(readFileSync(join(dir, DB_FILE)).equals(before)).toBe(true);
    expect(integrityOf(dir)).toBe("ok");
  });

  test.skipIf(!isRoot)("a full disk: writes fail with a clear error, nothing is corrupted, queued audit rows land once space is back", async () => {
    const dir = tempDir("portico-full-");
    expect(mountTmpfs(dir, 48)).toBe(true);
    cpSync(project.dataDir, dir, { recursive: true });
    const server = await serveOn(dir, port);
    const books = newBooks();
    try {
      const creds = await makeCredentials(target, 2, 0);
      // Fill the file system to the last byte.
      const filler = join(dir, "filler");
      const chunk = Buffer.alloc(1024 * 1024);
      try {
        for (let i = 0; i < 1000; i++) writeFileSync(filler, chunk, { flag: "a" });
      } catch {}
      try {
        for (let i = 0; i < 100_000; i++) writeFileSync(filler, chunk.subarray(0, 512), { flag: "a" });
      } catch {}
      for (let i = 0; i < 200; i++) await call(target, books, project.key, "full");
      const revokeRes = await fetch(`${target.base}/api/v1/projects/${target.org}/${target.slug}/keys/${creds[0]!.id}`, { method: "DELETE", headers: { authorization: `Bearer ${project.key}` } });
      const revokeBody = await revokeRes.text();
      console.log(`full disk: ${books.acknowledged.size}/200 calls acknowledged; a revocation answered ${revokeRes.status}: ${revokeBody.slice(0, 200)}`);
      expect(revokeRes.status).toBe(503);
      expect(JSON.parse(revokeBody).error.code).toBe("storage_unavailable");
      rmSync(filler);
      // The writer retries a failed batch about once a second; give it room, then stop cleanly.
      await Bun.sleep(2_500);
      await revoke(target, books, creds[1]!);
      expect(await revocationsNotHeld(target, books)).toEqual([]);
      // Durable audit (issue 18): calls were refused (503) while no row could be written; now they are served again.
      expect(await call(target, books, project.key, "after")).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const logs = server.logs.join("\n");
    expect(logs).toMatch(/disk is full|SQLITE_FULL|No space left/i);
    expect(integrityOf(dir)).toBe("ok");
    const db = new Database(join(dir, DB_FILE));
    const audited = new Set((db.query("SELECT json_extract(input, '$.text') AS m FROM audit_events WHERE method = 'tools/call'").all() as { m: string }[]).map((r) => r.m));
    db.close();
    expect([...books.acknowledged.keys()].filter((m) => !audited.has(m))).toEqual([]);
  });
});
