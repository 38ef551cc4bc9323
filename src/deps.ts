/**
 * Everything the app needs, built once per process (or per test) and passed down: no module-level
 * singletons, so each test builds a fresh app on a fresh database.
 */
import { ensureAuditSigningKey } from "./audit/signing";
import { AuditWriter, createAuditWriter } from "./audit/writer";
import type { Config } from "./config";
import type { Db } from "./db/client";
import { openStorage, type Storage } from "./db/storage";
import type { ChangeFeed } from "./lib/change-feed";
import { systemClock, type Clock } from "./lib/clock";
import { EventBus } from "./lib/events";
import { createLogger, type Logger } from "./lib/log";
import { RateLimits } from "./lib/rate-limits";
import { createRateLimitStore } from "./db/rate-limit-store";
import { startTelemetry, type Telemetry } from "./lib/telemetry";
import { BUILD } from "./build-info";
import { createOAuthState, type OAuthState } from "./oauth/state";
import { createToolRuntime, type ToolService } from "./tools/runtime";

export interface Deps {
  config: Config;
  db: Db;
  /** The engine behind `db` and `changes`, closed last by `shutdown`. */
  storage: Storage;
  log: Logger;
  /** Wall-clock time for every timestamp and expiry (docs/architecture.md, "Layers"): tests pass a fake one. */
  clock: Clock;
  bus: EventBus;
  /** What changed since version N, from any connection or process: every cache follows it (docs/architecture.md, "Change feed"). */
  changes: ChangeFeed;
  /** Rate limiters whose counts every instance on this database shares (docs/architecture.md: Rate limits). */
  rateLimits: RateLimits;
  /** OAuth state that outlives a request: signing keys, verified tokens, rate limiters. */
  oauth: OAuthState;
  /** Batched MCP audit log writer; flushed by a shutdown hook. */
  audit: AuditWriter;
  /** Tool runtimes (interactive, script sandbox, http) and the encrypted tool secrets. */
  tools: ToolService;
  /**
   * OpenTelemetry export (src/lib/telemetry.ts), null unless an OTLP endpoint is configured: every
   * instrumentation point is a null check, so the hot path pays nothing when it is off (issue 18).
   */
  telemetry: Telemetry | null;
  /** Run on graceful shutdown, in registration order (e.g. flush the audit queue). */
  shutdownHooks: Array<() => Promise<void> | void>;
  /** Run as the listener stops accepting, before it waits for open requests: end endless SSE streams. */
  drainHooks: Array<() => void>;
}

export interface DepsOptions {
  log?: Logger;
  /** Use an already open database (tests); otherwise the data dir's. */
  db?: Db;
  /** Defaults to the system clock. */
  clock?: Clock;
  /** False: no OpenTelemetry export even with an endpoint configured (one-shot CLI commands serve no requests). */
  telemetry?: boolean;
}

export async function createDeps(config: Config, opts: DepsOptions = {}): Promise<Deps> {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const storage = await openStorage(config, { db: opts.db, now: clock.now(), log });
  const { db, changes } = storage;
  const audit = createAuditWriter(db, log, config.auditDurability, changes);
  const tools = createToolRuntime({ config, db, log, clock });
  const rateLimits = new RateLimits(createRateLimitStore(db, changes), clock, log);
  const oauth = createOAuthState({ db, tools, log, changes, clock, rateLimits });
  // Every data dir gets its audit signing key on first open, so its public part exists from day one (issue 18).
  await ensureAuditSigningKey({ db, tools, clock });
  const telemetry = opts.telemetry === false ? null : await startTelemetry({
    endpoint: config.otlpEndpoint, tracesEndpoint: config.otlpTracesEndpoint, metricsEndpoint: config.otlpMetricsEndpoint,
    serviceName: config.otelServiceName, serviceVersion: BUILD.version, log,
  });
  return {
    config, db, storage, log, clock, bus: new EventBus(changes), changes, rateLimits, oauth, audit, tools, telemetry,
    // Telemetry last: the audit flush and tool shutdown may still end spans.
    shutdownHooks: [() => audit.close(), () => tools.close(), () => rateLimits.close(), ...(telemetry ? [() => telemetry.shutdown()] : [])],
    drainHooks: [],
  };
}

/** Runs every shutdown hook, logging (not throwing) failures, then closes the change feed and the database. */
export async function shutdown(deps: Deps): Promise<void> {
  for (const hook of deps.shutdownHooks) {
    try {
      await hook();
    } catch (err) {
      deps.log.error({ err }, "shutdown hook failed");
    }
  }
  try {
    await deps.storage.close();
  } catch (err) {
    // Closing must not hide why we stopped (a refused start, a signal): the error is logged, not thrown.
    deps.log.error({ err }, "closing the database failed");
  }
}
