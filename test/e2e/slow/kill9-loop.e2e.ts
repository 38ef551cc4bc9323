/**
 * kill -9 again and again (KILL9_ROUNDS, default 5) on one data dir, each round a different load length,
 * restarting on the same data dir and port in between: the database stays intact, every acknowledged
 * revocation of every round holds, and — durable audit, the default (issue 18) — every acknowledged call
 * has its audit row. Slow, so outside `npm test`: run with `npm run test:e2e`.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { loadAndSignal, revocationsNotHeld, serveOn } from "../support/faults";
import { makeCredentials, type Books, type Target } from "../support/load";
import { freePort, provision } from "../support/portico";

const ROUNDS = Number(process.env.KILL9_ROUNDS ?? 5);
setDefaultTimeout(60_000 + ROUNDS * 30_000);

test(`${ROUNDS} rounds of kill -9 under load`, async () => {
  const project = await provision({ manifestFile: join(import.meta.dir, "../fixtures/shop-manifest.json") });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t: Target = { base, mcpUrl: `${base}/${project.org}/${project.slug}`, org: project.org, slug: project.slug, ownerKey: project.key, email: project.owner.email, password: project.owner.password };
  const all: Books[] = [];
  const windows: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const server = await serveOn(project.dataDir, port);
    // Every round first proves the earlier rounds' revocations survived their kills.
    for (const books of all) expect(await revocationsNotHeld(t, books)).toEqual([]);
    const creds = await makeCredentials(t, 6, 3);
    const r = await loadAndSignal(server, t, creds, { loadMs: 800 + Math.floor(Math.random() * 2_500), signal: "SIGKILL" });
    console.log(`round ${round + 1}: ${r.books.acknowledged.size} acknowledged, ${r.lost} lost (window ${r.lostWindowMs} ms), ${r.books.revoked.length} revoked, integrity ${r.integrity}`);
    expect(r.integrity).toBe("ok");
    expect(r.lost).toBe(0);
    all.push(r.books);
    windows.push(r.lostWindowMs);
  }
  const last = await serveOn(project.dataDir, port);
  try {
    for (const books of all) expect(await revocationsNotHeld(t, books)).toEqual([]);
  } finally {
    await last.stop();
  }
  console.log(`kill -9 loop: ${ROUNDS} rounds, acknowledged-but-unaudited calls: ${windows.filter((w) => w > 0).length ? "some" : "0"}`);
});
