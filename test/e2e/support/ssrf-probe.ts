/**
 * SSRF probe, run as its own process — by test/e2e/security/ssrf.test.ts inside a fresh network namespace
 * (`unshare --net`, only `lo` up) when the machine allows it, so that even a regression could not send a
 * packet off loopback. It starts a real Portico listener (loopback fetches NOT allowed), a TCP listener
 * on 127.0.0.1 that counts every connection, then points a script tool's fetch, http tools and CIMD
 * client_ids at loopback, private, link-local and metadata targets and prints one JSON report on stdout.
 * Usage: bun ssrf-probe.ts [--loopback-only]
 */
import { loadConfig } from "../../../src/config";
import { s256 } from "../../../src/lib/crypto";
import { createLogger } from "../../../src/lib/log";
import { importManifest } from "../../../src/projects/draft";
import { publish } from "../../../src/projects/publish";
import { startServer } from "../../../src/server";
import { seedWorld } from "../../fixtures/world";
import { tempDir } from "../../helpers";

let connections = 0;
const trap = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (s) => { connections++; s.end(); }, data: () => {} } });
const P = trap.port;

const loopbackTargets = [
  `https://127.0.0.1:${P}/x`, `https://localhost:${P}/x`, `https://2130706433:${P}/x`, `https://0x7f.0.0.1:${P}/x`,
  `https://127.1:${P}/x`, `https://[::1]:${P}/x`, `https://[::ffff:127.0.0.1]:${P}/x`, `https://0.0.0.0:${P}/x`, `http://127.0.0.1:${P}/x`,
];
const remoteTargets = [
  "https://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/latest/meta-data/", "https://10.0.0.1/x", "https://192.168.1.1/x",
  "https://172.16.0.1/x", "https://100.64.0.1/x", "https://[fe80::1]/x", "https://[fc00::1]/x", "https://metadata.google.internal/computeMetadata/v1/",
];
// Keep the list under the CIMD fetch limit per client IP (20/min): a 429 would be a refusal without a fetch attempt.
const targets = process.argv.includes("--loopback-only") ? loopbackTargets : [...loopbackTargets, ...remoteTargets];
const hostsOf = (urls: string[]) => [...new Set(urls.map((u) => new URL(u).hostname).filter((h) => /^[a-z0-9.-]+$/.test(h)))];

const config = loadConfig({ dataDir: tempDir("portico-ssrf-"), port: 0, logLevel: "warn" }, {});
const server = await startServer(config, { log: createLogger("warn", { write: () => {} }) });
const { deps } = server;
const world = await seedWorld(deps);
const { project } = world;
const owner = world.members.owner;
const selfUrl = `${server.url}/healthz`;
await importManifest(deps, project.id, {
  tools: [
    {
      name: "fetcher", kind: "script", description: "fetches input.url",
      inputSchema: { type: "object", properties: { url: { type: "string" } }, required: ["url"] },
      allowedDomains: hostsOf([...targets, selfUrl]),
      script: "export default async (input) => { const r = await fetch(input.url); return { status: r.status }; }",
    },
    ...[...targets, selfUrl].map((url, i) => ({ name: `http_${i}`, kind: "http" as const, description: url, url, allowedDomains: hostsOf([url]) })),
  ],
});
await publish(deps, project.id, owner.id);
const { key } = await world.apiKey("owner", { name: "probe" });

async function callTool(name: string, args: Record<string, unknown>) {
  const res = await fetch(`${server.url}/acme/shop`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
  const body = (await res.json()) as { result?: { isError?: boolean; content?: Array<{ text?: string }> } };
  return { status: res.status, isError: body.result?.isError === true, text: body.result?.content?.[0]?.text ?? JSON.stringify(body) };
}

async function cimd(clientId: string) {
  const q = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: "https://app.example/cb", code_challenge: s256("v".repeat(43)), code_challenge_method: "S256", resource: `${server.url}/acme/shop` });
  const res = await fetch(`${server.url}/oauth/authorize?${q}`, { headers: { cookie: owner.cookie }, redirect: "manual" });
  const text = (await res.text()).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
  return { status: res.status, location: res.headers.get("location"), text: text.slice(0, 400) };
}

const report = { connections: 0, script: [] as unknown[], http: [] as unknown[], cimd: [] as unknown[], targets: [...targets, selfUrl] };
for (const [i, url] of [...targets, selfUrl].entries()) {
  report.script.push({ url, ...(await callTool("fetcher", { url })) });
  report.http.push({ url, ...(await callTool(`http_${i}`, {})) });
  report.cimd.push({ url, ...(await cimd(url)) });
}
report.connections = connections;
const healthz = await fetch(`${server.url}/healthz`);
console.log(JSON.stringify({ ...report, healthz: healthz.status }));
await server.stop();
trap.stop(true);
process.exit(0);
