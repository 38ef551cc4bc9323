/**
 * What each step of an authenticated tools/call costs, in µs, measured in-process on the bench's real
 * data (a provisioned data dir, a JWT from the real OAuth flow): the pieces the profile points at, and
 * the whole request through `app.handle` without HTTP. Each figure is the best of 5 rounds (the least
 * disturbed by other load on the machine).   bun test/bench/micro.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CallToolRequestParamsSchema } from "@modelcontextprotocol/sdk/types.js";
import { createApp } from "../../src/app";
import { auditPayload } from "../../src/audit/payload";
import { loadConfig } from "../../src/config";
import { createDeps, shutdown } from "../../src/deps";
import { createLogger } from "../../src/lib/log";
import { sha256 } from "../../src/lib/crypto";
import { McpMetrics } from "../../src/http/metrics";
import { ReadCache } from "../../src/mcp/read-cache";
import { classify } from "../../src/mcp/rpc";
import { loadGrantState } from "../../src/oauth/grant-check";
import { createAjv } from "../../src/projects/draft";
import { oauthBrowser } from "./oauth-flow";
import { pinSelf, startPortico } from "./processes";
import { EMAIL, ORG, PASSWORD, PROJECT, provision } from "./provision";
import { INTERACTIVE_CALL, SCRIPT_CALL, STATELESS_HEADERS, STATELESS_INTERACTIVE_CALL, mcpHeaders } from "./scenarios";

/** Best-of-5 µs per call of `fn` (n calls a round, after one warm-up round). */
async function time(name: string, n: number, fn: () => unknown): Promise<void> {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const out = fn();
      if (out instanceof Promise) await out;
    }
    if (r > 0) rounds.push(((performance.now() - t) * 1000) / n);
  }
  console.log(`${Math.min(...rounds).toFixed(2).padStart(9)} µs  ${name}`);
}

pinSelf();
const dataDir = mkdtempSync(join(tmpdir(), "portico-micro-"));
const { apiKey } = provision(dataDir);
const server = await startPortico(dataDir, join(dataDir, "serve.log"));
const mcpUrl = `${server.url}/${ORG}/${PROJECT}`;
const jwt = (await (await oauthBrowser(server.url, EMAIL, PASSWORD)).authorize(mcpUrl)).access_token;
await server.stop();

const config = loadConfig({ dataDir, publicUrl: server.url, logLevel: "warn", principalRateLimit: 100_000_000 }, {});
const deps = await createDeps(config, { log: createLogger("warn") });
const app = await createApp(deps);
const gid = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()).gid as string;
const bodyText = JSON.stringify(INTERACTIVE_CALL.json);
const params = (INTERACTIVE_CALL.json as { params: { arguments: Record<string, unknown> } }).params;
const cache = new ReadCache(deps.changes);
const metrics = new McpMetrics({ sessions: () => 0, streams: () => 0, auditWritten: () => 0, auditPending: () => 0 });
const validate = createAjv().compile({ type: "object", properties: { text: { type: "string", maxLength: 200 } }, required: ["text"] });
const request = (bearer: string, body: string) => new Request(mcpUrl, { method: "POST", headers: mcpHeaders(bearer), body });

console.log("Pieces of one tools/call (in-process):");
await time("JSON.parse of the body", 100_000, () => JSON.parse(bodyText));
await time("classify (JSON-RPC shape)", 100_000, () => classify(JSON.parse(bodyText)));
await time("CallToolRequestParamsSchema.safeParse (SDK zod)", 20_000, () => CallToolRequestParamsSchema.safeParse(params));
await time("ajv validate of the tool's arguments", 100_000, () => validate(params.arguments));
await time("sha256(token) — verified-claims cache key", 100_000, () => sha256(jwt));
await time("EdDSA JWT verify (uncached; once per token)", 2_000, async () => (await deps.oauth.keys.verify(jwt, config.publicUrl)));
await time("ReadCache.revalidate (has anything been committed?)", 50_000, () => cache.revalidate());
await time("grant check: loadGrantState (one prepared query)", 50_000, async () => (await loadGrantState(deps, gid)));
await time("metrics observe (counter + histogram)", 100_000, () => metrics.observe("production", "tools/call", "ok", 0.001));
await time("audit payloads (input + output JSON)", 100_000, () => [auditPayload(params.arguments, true), auditPayload({ content: [{ type: "text", text: "x" }] }, true)]);
await time("AbortController + AbortSignal.any", 100_000, () => AbortSignal.any([new AbortController().signal, new AbortController().signal]));
await time("new Response(JSON.stringify(reply))", 100_000, () => new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "x" }] } })));
console.log("\nWhole requests through app.handle (no HTTP, no network):");
await time("GET /healthz", 20_000, () => app.handle(new Request(`${server.url}/healthz`)));
await time("tools/call interactive · JWT", 10_000, async () => (await app.handle(request(jwt, bodyText))).text());
await time("tools/call interactive · API key", 10_000, async () => (await app.handle(request(apiKey, bodyText))).text());
const statelessText = JSON.stringify(STATELESS_INTERACTIVE_CALL.json);
const stateless = () => new Request(mcpUrl, { method: "POST", headers: { ...mcpHeaders(apiKey), ...STATELESS_HEADERS }, body: statelessText });
await time("tools/call interactive · API key · 2026-07-28 stateless", 10_000, async () => (await app.handle(stateless())).text());
await time("tools/call script · JWT", 2_000, async () => (await app.handle(request(jwt, JSON.stringify(SCRIPT_CALL.json)))).text());
await deps.audit.flush();
await shutdown(deps);
