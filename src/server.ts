/**
 * Puts the app on a real listener with graceful shutdown: on SIGTERM/SIGINT it stops accepting, lets
 * in-flight requests finish, runs the shutdown hooks (flushing the audit queue) and closes the database.
 */
import { hostedReachProblems } from "./lib/hosted-reach";
import type { Config } from "./config";
import { createApp } from "./app";
import { createDeps, shutdown, type Deps, type DepsOptions } from "./deps";
import { issueSetupLink } from "./auth/setup-link";

export interface RunningServer {
  deps: Deps;
  url: string;
  port: number;
  /** The one-time first-run link, when the data dir has no user yet. */
  setupUrl: string | null;
  stop(): Promise<void>;
}

/**
 * Bun's hard body limit. Bun closes the connection on a larger body before the app sees it, and Node's
 * http client then reports EPIPE instead of the answer (docs/architecture.md: Measured facts). Issue 11 #15: it sits far above the MCP
 * cap (`maxBodyBytes`, enforced by the MCP endpoint while reading, with a JSON-RPC 413), so an oversized
 * MCP body up to this ceiling gets a readable 413; only bodies beyond it are cut off.
 */
export function bodyCeiling(maxBodyBytes: number): number {
  return Math.max(maxBodyBytes * 16, 16 * 1024 * 1024);
}

/**
 * `--port 0` asks the kernel for a free port, and without `--public-url` the issuer is built from it — so
 * the port must be known before the config is settled and the deps are built (docs/architecture.md:
 * Layers — config settled before deps, never mutated after). A placeholder listener takes the port with
 * SO_REUSEPORT; the app binds the same port beside it, then the placeholder goes.
 */
function reservePort(config: Config): { port: number; release(): void } {
  if (config.port !== 0) return { port: config.port, release: () => {} };
  const probe = Bun.serve({ port: 0, hostname: config.host, reusePort: true, fetch: () => new Response("starting", { status: 503 }) });
  return { port: probe.port!, release: () => void probe.stop(true) };
}

export async function startServer(input: Config, opts: DepsOptions = {}): Promise<RunningServer> {
  const reserved = reservePort(input);
  const port = reserved.port;
  const config: Config = Object.freeze({
    ...input,
    port,
    publicUrl: input.publicUrlFromPort ? `${input.tlsCert ? "https" : "http"}://127.0.0.1:${port}` : input.publicUrl,
  });
  let deps: Deps;
  try {
    deps = await createDeps(config, opts);
  } catch (err) {
    reserved.release();
    throw err;
  }
  try {
    // Issue 15 (instances must agree): a master key that does not open the stored signing keys stops the
    // start here, with both key ids and what to do, instead of serving tokens no other instance can match.
    await deps.oauth.keys.open();
  } catch (err) {
    reserved.release();
    await shutdown(deps);
    throw err;
  }
  const app = await createApp(deps);
  app.listen({
    port,
    hostname: config.host,
    reusePort: input.port === 0,
    maxRequestBodySize: bodyCeiling(config.maxBodyBytes),
    ...(config.tlsCert && config.tlsKey ? { tls: { cert: Bun.file(config.tlsCert), key: Bun.file(config.tlsKey) } } : {}),
  });
  reserved.release();
  const server = app.server!;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      const stopped = server.stop(false);
      // Open MCP notification streams never finish by themselves: end them so stop() can complete.
      for (const drain of deps.drainHooks) drain();
      await stopped;
      await shutdown(deps);
    })());
  deps.log.info({ port, host: config.host, publicUrl: config.publicUrl }, "listening");
  const reach = hostedReachProblems(config.publicUrl);
  if (reach.length) deps.log.warn({ publicUrl: config.publicUrl, problems: reach }, "hosted hosts (Claude, ChatGPT) cannot reach the public URL");
  // The token is a credential: `portico serve` prints it on the operator's terminal, never into the JSON log.
  const setupUrl = await issueSetupLink(deps.db, config.publicUrl);
  if (setupUrl) deps.log.info("no user yet: the one-time setup link is printed on stderr");
  // The binary starts with the JIT tier-up thresholds scaled up (`--compile-jit-policy` in `npm run build`):
  // start-up code runs once, and compiling it cost more than a third of a cold start on one core
  // (docs/architecture.md: Measured facts). The server is up: requests get the normal JIT from here on.
  // Worker threads (the sandbox) always start with the normal policy. From source this is already 1.
  Bun.unsafe.setJITPolicy(1);
  return { deps, url: config.publicUrl, port, setupUrl, stop };
}

/** Stops cleanly on the first SIGTERM/SIGINT; exits when done. */
export function stopOnSignals(server: RunningServer): void {
  const onSignal = (signal: string) => {
    server.deps.log.info({ signal }, "shutting down");
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
}
