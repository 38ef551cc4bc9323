import { z } from "zod";
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
  /** @default 8787 */
  port: z.coerce.number({ error: "must be a number from 0 to 65535" }).int("must be a whole number").min(0, "must be from 0 to 65535").max(65535, "must be from 0 to 65535").default(8787),
  /** @default 127.0.0.1 — use 0.0.0.0 behind a reverse proxy on another host. */
  host: z.string().min(1).default("127.0.0.1"),
  /** @default ./data */
  dataDir: z.string().min(1).default("./data"),
  /** The issuer and every URL shown to users. Defaults to http://127.0.0.1:{port}. */
  publicUrl: origin.optional(),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  /** @default info */
  logLevel: z.enum(LOG_LEVELS).default("info"),
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
    }),
  /** Extra browser origins allowed to call MCP endpoints (comma-separated). */
  allowedOrigins: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean)),
  /**
   * Outbound proxy for https fetches (CIMD documents, script-tool fetch, http tools), issue 12 and
   * src/lib/outbound-proxy.ts. @default $HTTPS_PROXY, else $https_proxy
   */
  httpsProxy: z.string().transform(parsedWith(parseProxyUrl)).optional(),
  /** Outbound proxy for http fetches (loopback test mode only). @default $HTTP_PROXY, else $http_proxy */
  httpProxy: z.string().transform(parsedWith(parseProxyUrl)).optional(),
  /** Targets fetched directly, not through the proxy (src/lib/outbound-proxy.ts). @default $NO_PROXY, else $no_proxy */
  noProxy: z.string().default("").transform(parsedWith(parseNoProxy)),
  /** Test-only: let CIMD and tool fetches reach loopback addresses. Never set in production. */
  allowLoopbackFetch: z.stringbool().default(false),
  /** Access token lifetime in seconds. @default 28800 (8 h) */
  accessTokenTtl: positiveInt.default(8 * 3600),
  /** Refresh token lifetime in seconds. @default 2592000 (30 days) */
  refreshTokenTtl: positiveInt.default(30 * 24 * 3600),
  /** Idle expiry of sign-in sessions (and the grants bound to them), seconds. @default 30 days */
  sessionIdleTtl: positiveInt.default(30 * 24 * 3600),
  /** Base64 32-byte key for tool secrets; otherwise a key file in the data dir. */
  secretKey: z.string().optional(),
  /** Bearer token for /metrics from non-loopback addresses. */
  metricsToken: z.string().optional(),
  /** Requests per minute per IP on public projects. @default 120 */
  publicRateLimit: positiveInt.default(120),
  /** Requests per minute per principal (grant, key). @default 6000 */
  principalRateLimit: positiveInt.default(6000),
  /** Max request body bytes on MCP endpoints. @default 1048576 */
  maxBodyBytes: positiveInt.default(1024 * 1024),
  /** Script tool calls one project may run at once (issue 11 #19). @default half the sandbox pool, rounded up */
  sandboxPerProject: positiveInt.optional(),
  /** Script tool calls of one project that may wait for a turn; more get "busy, try again". @default 16 */
  sandboxQueuePerProject: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(0, "must be 0 or more").default(16),
  /** Open MCP notification streams (GET) per project, over all its sessions (issue 11 #16, #19). @default 200 */
  maxStreamsPerProject: positiveInt.default(200),
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

/** One line per setting for `portico serve --help` and the README's configuration table. */
export const CONFIG_HELP: Array<[flag: string, description: string]> = [
  ["port", "TCP port to listen on (default 8787; 0 picks a free one)"],
  ["host", "address to bind (default 127.0.0.1; 0.0.0.0 to accept connections from other hosts)"],
  ["data-dir", "where the SQLite database and key files live (default ./data)"],
  ["public-url", "origin users and hosts reach, e.g. https://portico.example.com (issuer of all URLs)"],
  ["tls-cert", "PEM certificate file, to serve https directly (with --tls-key)"],
  ["tls-key", "PEM private key file for --tls-cert"],
  ["log-level", "fatal, error, warn, info (default), debug, trace or silent"],
  ["trusted-proxy", "behind your own proxy: alone (= loopback proxies), CIDRs of your proxies (10.0.0.0/8,::1) or a hop count; the client IP is the right-most X-Forwarded-For address not in them"],
  ["allowed-origins", "extra browser origins allowed to call MCP endpoints, comma-separated"],
  ["access-token-ttl", "access token lifetime in seconds (default 28800)"],
  ["refresh-token-ttl", "refresh token lifetime in seconds (default 2592000)"],
  ["session-idle-ttl", "sign-in sessions (and grants bound to them) end after this many idle seconds (default 30 days)"],
  ["secret-key", "base64 32-byte key for tool secrets (default: a key file in the data dir)"],
  ["metrics-token", "bearer token for /metrics from non-loopback addresses"],
  ["public-rate-limit", "requests per minute per IP on public projects (default 120)"],
  ["principal-rate-limit", "requests per minute per grant or API key (default 6000)"],
  ["max-body-bytes", "largest MCP request body in bytes (default 1048576)"],
  ["sandbox-per-project", "script tool calls one project may run at once (default half the sandbox pool, rounded up)"],
  ["sandbox-queue-per-project", "script tool calls of one project that may wait for a turn; more get a busy error (default 16)"],
  ["max-streams-per-project", "open MCP notification streams per project, over all its sessions (default 200)"],
  ["https-proxy", "outbound proxy for tool and client-metadata fetches, http://[user:pass@]host:port (default $HTTPS_PROXY); targets are still checked and the proxy asked to CONNECT to the checked IP"],
  ["http-proxy", "outbound proxy for plain-http fetches, only used in loopback test mode (default $HTTP_PROXY)"],
  ["no-proxy", "targets fetched directly: host suffixes, IPs, CIDRs, each with optional :port, or * (default $NO_PROXY)"],
  ["allow-loopback-fetch", "test only: let tools and metadata fetches reach loopback addresses"],
];
