/**
 * The MCP face's long-lived state, one per app: sessions, compiled channel views, rate limits and the
 * requests in flight (for notifications/cancelled), the questions waiting for a client's answer. Closed by a shutdown hook.
 */
import type { AuditWriter } from "../audit/writer";
import { McpMetrics } from "../http/metrics";
import { McpRateLimits } from "./access";
import { ReadCache } from "./read-cache";
import { ChannelViews } from "./channel";
import type { McpDeps } from "./context";
import { PendingRequests } from "./mrtr/pending";
import { SESSION_IDLE_MS, SessionStore } from "./sessions";
import { Listeners } from "./stateless/listeners";

export class McpService {
  readonly sessions: SessionStore;
  /** MCP 2026-07-28 subscriptions/listen streams held by this instance. */
  readonly listeners: Listeners;
  readonly views: ChannelViews;
  readonly limits: McpRateLimits;
  /** Abort handles of running tools/call requests by `session|requestId` or `credential|requestId` (notifications/cancelled; see endpoint.ts flightKey). */
  readonly inflight = new Map<string, { abort(): void }>();
  /** Questions sent to 2025 clients over a call's stream, waiting for the client's response POST (mrtr/pending.ts). */
  readonly pending = new PendingRequests();
  readonly audit: AuditWriter;
  readonly metrics: McpMetrics;
  readonly reads: ReadCache;

  constructor(deps: McpDeps) {
    this.audit = deps.audit;
    this.reads = new ReadCache(deps.changes);
    this.sessions = new SessionStore(deps, this.reads, SESSION_IDLE_MS, deps.config.maxStreamsPerProject);
    this.listeners = new Listeners(deps.bus);
    this.sessions.onEnd = (id) => this.pending.dropSession(id);
    this.views = new ChannelViews(deps);
    this.limits = new McpRateLimits(deps.config, deps.clock, deps.rateLimits);
    const sources = { sessions: () => this.sessions.count(), streams: () => this.sessions.streamCount + this.listeners.size, auditWritten: () => this.audit.written, auditPending: () => this.audit.pending };
    this.metrics = new McpMetrics(sources);
    // The same series over OTLP when telemetry is on (issue 18), read from the same counters at export time.
    deps.telemetry?.observe({ ...sources, requests: () => this.metrics.series() });
  }

  close(): void {
    for (const c of this.inflight.values()) c.abort();
    this.pending.close();
    this.sessions.close();
    this.listeners.close();
    this.views.close();
    this.reads.close();
  }
}
