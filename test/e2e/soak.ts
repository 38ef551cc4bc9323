/**
 * Soak: a bounded mixed load against a real `portico serve` on loopback — tools/call and tools/list from
 * API keys and OAuth grants, token refreshes, revocations (each replaced by a fresh credential), draft
 * edits and publishes — for SOAK_SECONDS (default 120). Then a clean stop and the books:
 *   zero 5xx · memory flat (server RSS sampled; growth from the warmed-up start to the end reported and
 *   bounded) · every acknowledged call has its audit row · every acknowledged revocation holds.
 * Prints a summary; exits 1 when a check fails. Run: `npm run soak` (or `SOAK_SECONDS=30 npm run soak`).
 */
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE, revocationsNotHeld, serveOn } from "./support/faults";
import { call, makeCredentials, newBooks, refresh, revoke, runWorkers, type Credential, type Target } from "./support/load";
import { freePort, provision } from "./support/portico";

const SECONDS = Number(process.env.SOAK_SECONDS ?? process.argv[2] ?? 120);
/** Allowed RSS growth between the warmed-up start and the end of the run. */
const MAX_RSS_GROWTH = 0.25;

const project = await provision({ manifestFile: join(import.meta.dir, "fixtures/shop-manifest.json") });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const t: Target = { base, mcpUrl: `${base}/${project.org}/${project.slug}`, org: project.org, slug: project.slug, ownerKey: project.key, email: project.owner.email, password: project.owner.password };
const server = await serveOn(project.dataDir, port);
const books = newBooks();
const creds: Credential[] = await makeCredentials(t, 6, 6);
const counts = { calls: 0, lists: 0, refreshes: 0, revocations: 0, publishes: 0 };

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, "utf8"))![1]) / 1024;
const samples: Array<[number, number]> = [];
const started = Date.now();
const deadline = started + SECONDS * 1000;
const done = () => Date.now() >= deadline;
const live = () => creds.filter((c) => !c.revoked);
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}/api/v1/projects/${t.org}/${t.slug}${path}`, { ...init, headers: { authorization: `Bearer ${t.ownerKey}`, "content-type": "application/json", ...init.headers } });
const tally = async (res: Response) => {
  books.statuses.set(res.status, (books.statuses.get(res.status) ?? 0) + 1);
  await res.body?.cancel();
  return res.status;
};

await Promise.all([
  runWorkers(6, done, async (w) => {
    counts.calls++;
    await call(t, books, pick([t.ownerKey, ...live().map((c) => c.bearer)]), "soak", w < 2 ? "echo" : "card");
  }),
  runWorkers(1, done, async () => {
    counts.lists++;
    const c = pick(live());
    await tally(await fetch(t.mcpUrl, { method: "POST", headers: { authorization: `Bearer ${c.bearer}`, "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) }));
  }),
  runWorkers(1, done, async () => {
    const grant = live().find((c) => c.kind === "grant");
    if (grant) (counts.refreshes++, await refresh(t, books, grant));
    await Bun.sleep(200);
  }),
  runWorkers(1, done, async () => {
    await Bun.sleep(1_500);
    const victim = pick(live());
    counts.revocations++;
    await revoke(t, books, victim);
    creds.push(...(await makeCredentials(t, victim.kind === "apikey" ? 1 : 0, victim.kind === "grant" ? 1 : 0)));
  }),
  runWorkers(1, done, async () => {
    await Bun.sleep(3_000);
    counts.publishes++;
    await tally(await api("/tools/card", { method: "PATCH", body: JSON.stringify({ description: `Shows the text on a card (edit ${counts.publishes}).` }) }));
    await tally(await api("/publish", { method: "POST", body: JSON.stringify({ note: `soak ${counts.publishes}` }) }));
  }),
  runWorkers(1, done, async () => {
    samples.push([Date.now() - started, rssMb()]);
    await Bun.sleep(1_000);
  }),
]);

const notHeld = await revocationsNotHeld(t, books);
const stopCode = await server.stop();
const db = new Database(join(project.dataDir, DB_FILE), { readonly: true });
const audited = new Set((db.query("SELECT json_extract(input, '$.text') AS m FROM audit_events WHERE method = 'tools/call'").all() as { m: string }[]).map((r) => r.m));
const integrity = (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check;
db.close();
const missing = [...books.acknowledged.keys()].filter((m) => !audited.has(m));

// Memory: median of the first quarter after a 15 % warm-up against the median of the last quarter.
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rss = samples.map(([, mb]) => mb);
const warm = Math.floor(rss.length * 0.15);
const quarter = Math.max(1, Math.floor(rss.length / 4));
const early = median(rss.slice(warm, warm + quarter));
const late = median(rss.slice(-quarter));
const growth = early ? (late - early) / early : 0;
const fivexx = [...books.statuses].filter(([s]) => s >= 500);
const requests = [...books.statuses.values()].reduce((a, b) => a + b, 0);

const checks: Array<[string, boolean]> = [
  ["zero 5xx", fivexx.length === 0],
  [`RSS growth ≤ ${MAX_RSS_GROWTH * 100}%`, growth <= MAX_RSS_GROWTH],
  ["every acknowledged call audited", missing.length === 0],
  ["every acknowledged revocation holds", notHeld.length === 0],
  ["clean stop (exit 0)", stopCode === 0],
  ["integrity_check ok", integrity === "ok"],
];
console.log(`
Portico soak — ${SECONDS} s against ${t.mcpUrl}
  requests      ${requests} (${Math.round(requests / SECONDS)}/s); statuses ${JSON.stringify(Object.fromEntries(books.statuses))}; network errors ${books.networkErrors}
  operations    ${JSON.stringify(counts)}; refreshes acknowledged ${books.refreshes}; revocations acknowledged ${books.revoked.length}
  audit         ${books.acknowledged.size} calls acknowledged, ${audited.size} audit rows, ${missing.length} missing
  memory (RSS)  min ${Math.min(...rss).toFixed(1)} MB, max ${Math.max(...rss).toFixed(1)} MB; warmed-up ${early.toFixed(1)} MB → end ${late.toFixed(1)} MB (${(growth * 100).toFixed(1)}%)
${checks.map(([name, ok]) => `  ${ok ? "✓" : "✗"} ${name}`).join("\n")}`);
process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
