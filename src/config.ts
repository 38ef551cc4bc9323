import { z } from "zod";
import { isPostgresUrl } from "./lib/database-url";
import { parseTrustedProxy } from "./http/trusted-proxy";
import { parseNoProxy, parseProxyUrl, type OutboundProxy } from "./lib/outbound-proxy";

/** A configuration value that failed validation; the CLI prints it on one line and exits with code 2. */
export class ConfigError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`--${flag}: ${message}`);
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const origin = z
  .string()
  .url()
  .refine((v) => {
    const u = new URL(v);
    return (u.pathname === "/" || u.pathname === "") && !u.search && !u.hash && !v.endsWith("/");
  }, "must be an origin without a path or trailing slash, e.g. https://portico.example.com");

/** A zod transform from a parser that throws readable Errors (which never echo the value). */
const parsedWith = <T>(parse: (v: string) => T) => (v: string, ctx: z.RefinementCtx): T => {
  try {
    return parse(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
};

const positiveInt = z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").positive("must be greater than 0");

/**
 * Every setting, from flags (kebab-case) or `PORTICO_*` env (SCREAMING_SNAKE). Flags win over env.
 */
export const ConfigSchema = z.object({
  port: z.coerce.number({ error: "must be a number from 0 to 65535" }).int("must be a whole number").min(0, "must be from 0 to 65535").max(65535, "must be from 0 to 65535").default(8787).describe("TCP port to listen on (default 8787; 0 picks a free one)"),
  host: z.string().min(1).default("127.0.0.1").describe("address to bind (default 127.0.0.1; 0.0.0.0 to accept connections from other hosts)"),
  dataDir: z.string().min(1).default("./data").describe("where the SQLite database and key files live (default ./data)"),
  /** Issue 15: all shared state in Postgres instead of the data dir's SQLite, so several instances can serve. */
  databaseUrl: z
    .string()
    .trim()
    .refine(isPostgresUrl, "must be a postgres:// or postgresql:// URL")
    .optional()
    .describe("postgres://user:pass@host/db: keep all shared state in Postgres, so several instances can serve behind a load balancer (default: SQLite in the data dir)"),
  publicUrl: origin.optional().describe("origin users and hosts reach, e.g. https://portico.example.com (issuer of all URLs)"),
  tlsCert: z.string().optional().describe("PEM certificate file, to serve https directly (with --tls-key)"),
  tlsKey: z.string().optional().describe("PEM private key file for --tls-cert"),
  logLevel: z.enum(LOG_LEVELS).default("info").describe("fatal, error, warn, info (default), debug, trace or silent"),
  /** Issue 18: `durable` releases a call's response once its audit row has committed (group commit); `fast` writes rows up to 20 ms later. */
  auditDurability: z
    .enum(["durable", "fast"])
    .default("durable")
    .describe("durable (default): a call is answered once its audit row is committed, so a crash loses none; fast: rows are written up to 20 ms later (a crash loses that window)"),
  /**
   * Read client IPs from X-Forwarded-For behind proxies you run: `true` (loopback proxies), CIDRs, or a hop
   * count; the client is the right-most address that is not a trusted proxy (src/http/trusted-proxy.ts).
   * @default false
   */
  trustedProxy: z
    .string()
    .default("false")
    .transform((v, ctx) => {
      try {
        return parseTrustedProxy(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }).describe("behind your own proxy: alone (= loopback proxies), CIDRs of your proxies (10.0.0.0/8,::1) or a hop count; the client IP is the right-most X-Forwarded-For address not in them"),
  allowedOrigins: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean)).describe("extra browser origins allowed to call MCP endpoints, comma-separated"),
  /**
   * Outbound proxy for https fetches (CIMD documents, script-tool fetch, http tools), issue 12 and
   * src/lib/outbound-proxy.ts. @default $HTTPS_PROXY, else $https_proxy
   */
  httpsProxy: z.string().transform(parsedWith(parseProxyUrl)).optional().describe("outbound proxy for tool and client-metadata fetches, http://[user:pass@]host:port (default $HTTPS_PROXY); targets are still checked and the proxy asked to CONNECT to the checked IP"),
  httpProxy: z.string().transform(parsedWith(parseProxyUrl)).optional().describe("outbound proxy for plain-http fetches, only used in loopback test mode (default $HTTP_PROXY)"),
  noProxy: z.string().default("").transform(parsedWith(parseNoProxy)).describe("targets fetched directly: host suffixes, IPs, CIDRs, each with optional :port, or * (default $NO_PROXY)"),
  allowLoopbackFetch: z.stringbool().default(false).describe("test only: let tools and metadata fetches reach loopback addresses"),
  accessTokenTtl: positiveInt.default(8 * 3600).describe("access token lifetime in seconds (default 28800)"),
  refreshTokenTtl: positiveInt.default(30 * 24 * 3600).describe("refresh token lifetime in seconds (default 2592000)"),
  sessionIdleTtl: positiveInt.default(30 * 24 * 3600).describe("sign-in sessions (and grants bound to them) end after this many idle seconds (default 30 days)"),
  secretKey: z.string().optional().describe("base64 32-byte key for tool secrets (default: a key file in the data dir)"),
  metricsToken: z.string().optional().describe("bearer token for /metrics from non-loopback addresses"),
  otlpEndpoint: z.url({ error: "must be a URL" }).optional().describe("export traces and metrics over OTLP/HTTP to this base URL, e.g. http://127.0.0.1:4318 (default $OTEL_EXPORTER_OTLP_ENDPOINT; off when unset)"),
  otlpTracesEndpoint: z.url({ error: "must be a URL" }).optional().describe("OTLP/HTTP traces URL used as is (default $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)"),
  otlpMetricsEndpoint: z.url({ error: "must be a URL" }).optional().describe("OTLP/HTTP metrics URL used as is (default $OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)"),
  otelServiceName: z.string().min(1).max(200).optional().describe("service.name of exported telemetry (default $OTEL_SERVICE_NAME, else portico)"),
  publicRateLimit: positiveInt.default(120).describe("requests per minute per IP on public projects (default 120)"),
  principalRateLimit: positiveInt.default(6000).describe("requests per minute per grant or API key (default 6000)"),
  maxBodyBytes: positiveInt.default(1024 * 1024).describe("largest MCP request body in bytes (default 1048576)"),
  sandboxPerProject: positiveInt.optional().describe("script tool calls one project may run at once (default half the sandbox pool, rounded up)"),
  sandboxQueuePerProject: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(0, "must be 0 or more").default(16).describe("script tool calls of one project that may wait for a turn; more get a busy error (default 16)"),
  maxStreamsPerProject: positiveInt.default(200).describe("open MCP notification streams per project, over all its sessions (default 200)"),
});

export type Config = z.output<typeof ConfigSchema> & {
  publicUrl: string;
  /** True when no public URL was given: the server fills it in from the port it actually bound. */
  publicUrlFromPort: boolean;
};
export type ConfigInput = Partial<Record<keyof z.input<typeof ConfigSchema>, string | number | boolean>>;

const camelToKebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camelToEnv = (s: string) => `PORTICO_${s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/**
 * Settings that also default from the environment names every HTTP client knows (issue 12: a host set up
 * for a company proxy already has them). PORTICO_* wins over them; upper case over lower case (Go's
 * net/http order).
 */
const STANDARD_ENV: Partial<Record<keyof typeof ConfigSchema.shape, string[]>> = {
  httpsProxy: ["HTTPS_PROXY", "https_proxy"],
  httpProxy: ["HTTP_PROXY", "http_proxy"],
  noProxy: ["NO_PROXY", "no_proxy"],
  // OpenTelemetry's standard names (OTLP exporter spec), so a host set up for a collector needs nothing more.
  otlpEndpoint: ["OTEL_EXPORTER_OTLP_ENDPOINT"],
  otlpTracesEndpoint: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"],
  otlpMetricsEndpoint: ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"],
  otelServiceName: ["OTEL_SERVICE_NAME"],
};

/** Merges env and flags and validates them; throws ConfigError naming the first bad flag. */
export function loadConfig(flags: ConfigInput, env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const names = [camelToEnv(key), ...(STANDARD_ENV[key as keyof typeof STANDARD_ENV] ?? [])];
    const fromEnv = names.map((n) => env[n]).find((v) => v !== undefined && v !== "");
    if (fromEnv !== undefined && fromEnv !== "") raw[key] = fromEnv;
    const fromFlag = (flags as Record<string, unknown>)[key];
    if (fromFlag !== undefined) raw[key] = typeof fromFlag === "boolean" ? String(fromFlag) : fromFlag;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(camelToKebab(String(issue.path[0] ?? "config")), issue.message);
  }
  const config = parsed.data;
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    throw new ConfigError(config.tlsCert ? "tls-key" : "tls-cert", "TLS needs both --tls-cert and --tls-key");
  }
  return { ...config, publicUrl: config.publicUrl ?? `http://127.0.0.1:${config.port}`, publicUrlFromPort: !config.publicUrl };
}

/** The outbound proxy settings safe-fetch takes (issue 12), as plain data. */
export const outboundProxy = (config: Config): OutboundProxy => ({ httpsProxy: config.httpsProxy, httpProxy: config.httpProxy, noProxy: config.noProxy });

/** Names of all config keys as flags, for --help and argument parsing. */
export const CONFIG_FLAGS = Object.keys(ConfigSchema.shape).map(camelToKebab);

/** One line per setting for `portico serve --help` and the README's table: each field's `.describe()`. */
export const CONFIG_HELP: Array<[flag: string, description: string]> = Object.entries(ConfigSchema.shape).map(([key, schema]) => [
  camelToKebab(key),
  schema.description ?? "",
]);
