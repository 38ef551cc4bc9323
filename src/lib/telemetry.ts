/**
 * OpenTelemetry export (issue 18): traces and metrics over OTLP/HTTP (JSON) when the operator sets the
 * standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, or `--otlp-endpoint`). Without one, `startTelemetry` returns null,
 * nothing of the SDK is imported (every import below is `import type` or dynamic), and each instrumentation
 * point costs one null check (docs/architecture.md, "Observability (OpenTelemetry)").
 *
 * Attribute names follow the OTel MCP semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/mcp,
 * status Development): span name `{mcp.method.name} {target}`, kind SERVER, `mcp.method.name`,
 * `jsonrpc.request.id`, `mcp.protocol.version`, `gen_ai.tool.name`, `gen_ai.operation.name=execute_tool`,
 * `network.transport`, `error.type`. Spans carry ids, names, statuses and durations only: never a token,
 * secret, tool input or output (the exporter ships them to a third party's collector).
 */
import type { Attributes, Span, Tracer } from "@opentelemetry/api";
import type { Logger } from "./log";

/** Where to send, resolved from config and the standard OTel env names (OTLP exporter spec, "Endpoint URLs for OTLP/HTTP"). */
export interface TelemetryOptions {
  /** Base endpoint: `/v1/traces` and `/v1/metrics` are appended (OTEL_EXPORTER_OTLP_ENDPOINT). */
  endpoint?: string;
  /** Used as is (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  tracesEndpoint?: string;
  /** Used as is (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT). */
  metricsEndpoint?: string;
  /** OTEL_SERVICE_NAME; "portico" by default. */
  serviceName?: string;
  serviceVersion?: string;
  /** How often metrics are pushed (OTEL_METRIC_EXPORT_INTERVAL), ms. */
  metricIntervalMs?: number;
  log: Logger;
}

/** What the metrics exporter reads at each collection: the same numbers `/metrics` serves (src/http/metrics.ts). */
export interface MetricSources {
  requests(): Iterable<{ labels: { channel: string; method: string; status: string }; n: number; seconds: number }>;
  sessions(): number | Promise<number>;
  streams(): number;
  auditWritten(): number;
  auditPending(): number;
}

export interface Telemetry {
  readonly tracer: Tracer;
  /**
   * Starts a span, as a child of `parent` (a span) or of a remote caller's `traceparent` (already
   * validated, src/lib/trace-context.ts), or as a root. Times are `performance.now()` values.
   */
  start(name: string, parent: Span | string | null, attributes?: Attributes, startTime?: number, server?: boolean): Span;
  /** Marks a span failed with a low-cardinality `error.type` (semconv "Recording errors") and ends it. */
  end(span: Span, errorType?: string | null, endTime?: number): void;
  /** Observable instruments over `sources`: nothing is counted twice on the hot path. */
  observe(sources: MetricSources): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The trace and metric URLs, or null when telemetry is off. */
export function otlpUrls(o: Pick<TelemetryOptions, "endpoint" | "tracesEndpoint" | "metricsEndpoint">): { traces: string; metrics: string | null } | null {
  const base = o.endpoint?.replace(/\/+$/, "");
  const traces = o.tracesEndpoint || (base ? `${base}/v1/traces` : undefined);
  if (!traces) return null;
  return { traces, metrics: o.metricsEndpoint || (base ? `${base}/v1/metrics` : null) };
}

/**
 * Loads the SDK and starts exporting, or returns null (and loads nothing) when no endpoint is set or
 * `OTEL_SDK_DISABLED=true`. The exporters read `OTEL_EXPORTER_OTLP_HEADERS` (and the per-signal variants)
 * themselves; their values (often an API key) are never logged.
 */
export async function startTelemetry(opts: TelemetryOptions, env: Record<string, string | undefined> = process.env): Promise<Telemetry | null> {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return null;
  const urls = otlpUrls(opts);
  if (!urls) return null;
  const [api, traceSdk, traceExporter, resources, semconv] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
  ]);
  const resource = resources.defaultResource().merge(resources.resourceFromAttributes({
    [semconv.ATTR_SERVICE_NAME]: opts.serviceName ?? "portico",
    ...(opts.serviceVersion ? { [semconv.ATTR_SERVICE_VERSION]: opts.serviceVersion } : {}),
  }));
  const provider = new traceSdk.BasicTracerProvider({
    resource,
    spanProcessors: [new traceSdk.BatchSpanProcessor(new traceExporter.OTLPTraceExporter({ url: urls.traces }))],
  });
  // Not registered globally: Portico passes its tracer explicitly, so two apps in one process (tests) never mix.
  const tracer = provider.getTracer("portico", opts.serviceVersion);
  const { trace, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags } = api;

  let meterProvider: import("@opentelemetry/sdk-metrics").MeterProvider | null = null;
  let metricsSdk: typeof import("@opentelemetry/sdk-metrics") | null = null;
  if (urls.metrics) {
    const [sdk, exporter] = await Promise.all([import("@opentelemetry/sdk-metrics"), import("@opentelemetry/exporter-metrics-otlp-http")]);
    metricsSdk = sdk;
    meterProvider = new sdk.MeterProvider({
      resource,
      readers: [new sdk.PeriodicExportingMetricReader({
        exporter: new exporter.OTLPMetricExporter({ url: urls.metrics, temporalityPreference: exporter.AggregationTemporalityPreference.CUMULATIVE }),
        exportIntervalMillis: opts.metricIntervalMs ?? (Number(env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000),
      })],
    });
  }
  opts.log.info({ traces: redactUrl(urls.traces), metrics: urls.metrics ? redactUrl(urls.metrics) : null }, "OpenTelemetry export on");

  const parentContext = (parent: Span | string | null) => {
    if (parent === null) return ROOT_CONTEXT;
    if (typeof parent !== "string") return trace.setSpan(ROOT_CONTEXT, parent);
    // 00-<trace-id>-<parent-id>-<flags> (W3C Trace Context §3.2), validated by the caller.
    const [, traceId, spanId, flags] = parent.split("-");
    const sampled = (Number.parseInt(flags!, 16) & 1) === 1;
    return trace.setSpanContext(ROOT_CONTEXT, { traceId: traceId!, spanId: spanId!, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
  };

  return {
    tracer,
    start(name, parent, attributes, startTime, server = false) {
      return tracer.startSpan(name, { kind: server ? SpanKind.SERVER : SpanKind.INTERNAL, attributes, startTime }, parentContext(parent));
    },
    end(span, errorType, endTime) {
      if (errorType) {
        span.setAttribute("error.type", errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end(endTime);
    },
    observe(sources) {
      if (!meterProvider || !metricsSdk) return;
      const meter = meterProvider.getMeter("portico", opts.serviceVersion);
      // The names and labels of /metrics (src/http/metrics.ts), so one dashboard reads either source.
      const requests = meter.createObservableCounter("portico_mcp_requests_total", { description: "MCP JSON-RPC requests" });
      const seconds = meter.createObservableCounter("portico_mcp_request_seconds_total", { description: "Time spent handling MCP requests", unit: "s" });
      const gauges = {
        portico_mcp_sessions: meter.createObservableGauge("portico_mcp_sessions", { description: "Open MCP sessions" }),
        portico_mcp_streams: meter.createObservableGauge("portico_mcp_streams", { description: "Open MCP notification streams (GET)" }),
        portico_audit_rows_written: meter.createObservableGauge("portico_audit_rows_written", { description: "Audit rows written since start" }),
        portico_audit_queue_rows: meter.createObservableGauge("portico_audit_queue_rows", { description: "Audit rows waiting to be written" }),
        process_resident_memory_bytes: meter.createObservableGauge("process_resident_memory_bytes", { description: "Resident memory size in bytes", unit: "By" }),
      };
      meter.addBatchObservableCallback(async (r) => {
        for (const c of sources.requests()) {
          r.observe(requests, c.n, c.labels);
          r.observe(seconds, c.seconds, c.labels);
        }
        r.observe(gauges.portico_mcp_sessions, await sources.sessions());
        r.observe(gauges.portico_mcp_streams, sources.streams());
        r.observe(gauges.portico_audit_rows_written, sources.auditWritten());
        r.observe(gauges.portico_audit_queue_rows, sources.auditPending());
        r.observe(gauges.process_resident_memory_bytes, process.memoryUsage().rss);
      }, [requests, seconds, ...Object.values(gauges)]);
    },
    async flush() {
      await provider.forceFlush();
      await meterProvider?.forceFlush();
    },
    async shutdown() {
      await provider.shutdown();
      await meterProvider?.shutdown();
    },
  };
}

/** An endpoint for a log line: no userinfo, query or fragment (a collector URL may embed a key). */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
