/**
 * Prometheus metrics at /metrics (docs/architecture.md: URLs — "metrics need a token or loopback"). Readable with
 * `Authorization: Bearer <--metrics-token>` from anywhere, or without a token from a loopback socket
 * that was not forwarded by a proxy. One registry per app, so tests never share counters.
 */

type PromClient = typeof import("prom-client");

/**
 * A registry built on the first scrape: loading prom-client costs 25–100 ms and ~5 MB at process start
 * (measured on the compiled binary), and most servers are never scraped (docs/architecture.md: cold start ≤ 150 ms).
 */
export class LazyRegistry {
  private built: Promise<Registry> | null = null;

  constructor(private readonly build: (prom: PromClient) => Registry) {}

  /** The exposition text and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    const registry = await (this.built ??= import("prom-client").then(this.build));
    return { body: await registry.metrics(), contentType: registry.contentType };
  }
}
import { Elysia } from "elysia";
import { pageErrors } from "./errors";
import type { Registry } from "prom-client";
import type { Deps } from "../deps";
import { safeEqual } from "../lib/crypto";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * The MCP face's metrics. `observe` runs once per JSON-RPC request, so it only bumps plain numbers;
 * prom-client (which hashes label sets on every update — a quarter of a tools/call's CPU, measured)
 * reads them at scrape time. Latency is a counter of seconds: rate(seconds) / rate(requests) = mean.
 */
export class McpMetrics {
  readonly registry: LazyRegistry;
  private counts = new Map<string, { labels: { channel: string; method: string; status: string }; n: number; seconds: number }>();

  /** `sessions` counts rows (a query on Postgres): prom-client awaits an async collect at scrape time. */
  constructor(sources: { sessions: () => number | Promise<number>; streams: () => number; auditWritten: () => number; auditPending: () => number }) {
    this.registry = new LazyRegistry((prom) => this.register(prom, sources));
  }

  private register(prom: PromClient, sources: ConstructorParameters<typeof McpMetrics>[0]): Registry {
    const { Counter, Gauge, Registry } = prom;
    const registry = new Registry();
    const registers = [registry];
    const counts = this.counts;
    new Counter({
      name: "portico_mcp_requests_total", help: "MCP JSON-RPC requests", labelNames: ["channel", "method", "status"], registers,
      collect() {
        this.reset();
        for (const c of counts.values()) this.inc(c.labels, c.n);
      },
    });
    new Counter({
      name: "portico_mcp_request_seconds_total", help: "Time spent handling MCP requests", labelNames: ["channel", "method", "status"], registers,
      collect() {
        this.reset();
        for (const c of counts.values()) this.inc(c.labels, c.seconds);
      },
    });
    const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
      new Gauge({ name, help, registers, async collect() { this.set(await read()); } });
    gauge("portico_mcp_sessions", "Open MCP sessions", sources.sessions);
    gauge("portico_mcp_streams", "Open MCP notification streams (GET)", sources.streams);
    gauge("portico_audit_rows_written", "Audit rows written since start", sources.auditWritten);
    gauge("portico_audit_queue_rows", "Audit rows waiting to be written", sources.auditPending);
    gauge("process_resident_memory_bytes", "Resident memory size in bytes", () => process.memoryUsage().rss);
    return registry;
  }

  /** The request counters as they stand, for the OTLP metrics export (src/lib/telemetry.ts). */
  series(): Iterable<{ labels: { channel: string; method: string; status: string }; n: number; seconds: number }> {
    return this.counts.values();
  }

  observe(channel: string, method: string, status: string, seconds: number): void {
    const key = `${channel}|${method}|${status}`;
    let c = this.counts.get(key);
    if (!c) {
      // Unknown method names would make label cardinality unbounded.
      const m = method.length <= 40 && /^[a-z/_]+$/i.test(method) ? method : "other";
      const otherKey = `${channel}|other|${status}`;
      c = this.counts.get(m === "other" ? otherKey : key) ?? { labels: { channel, method: m, status }, n: 0, seconds: 0 };
      this.counts.set(m === "other" ? otherKey : key, c);
    }
    c.n++;
    c.seconds += seconds;
  }
}

function mayRead(deps: Pick<Deps, "config">, request: Request, server: { requestIP(r: Request): { address: string } | null } | null): boolean {
  const token = deps.config.metricsToken;
  const header = request.headers.get("authorization");
  if (token && header?.startsWith("Bearer ") && safeEqual(header.slice(7).trim(), token)) return true;
  const forwarded = deps.config.trustedProxy.kind !== "none" && request.headers.has("x-forwarded-for");
  const address = server?.requestIP(request)?.address;
  return !forwarded && address !== undefined && LOOPBACK.has(address);
}

export function metricsPlugin(deps: Pick<Deps, "config" | "log">, registry: LazyRegistry) {
  // Every plugin owns its errors (Elysia's default handler would answer with the error's message).
  return new Elysia({ name: "metrics" }).onError(pageErrors(deps.log)).get("/metrics", async ({ request, server }) => {
    if (!mayRead(deps, request, server as Parameters<typeof mayRead>[2])) {
      return new Response("metrics need a token or a loopback address\n", { status: 403, headers: { "content-type": "text/plain" } });
    }
    const { body, contentType } = await registry.scrape();
    return new Response(body, { headers: { "content-type": contentType } });
  });
}
