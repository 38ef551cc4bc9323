/**
 * Test helpers: a fresh app on a fresh SQLite file per test, in-process requests, form posts with cookies,
 * and a real listener for end-to-end tests. Logs are captured so tests can assert what was (not) logged.
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../src/app";
import { loadConfig, type Config, type ConfigInput } from "../src/config";
import { createDeps, shutdown, type Deps } from "../src/deps";
import { createLogger } from "../src/lib/log";
import { startServer, type RunningServer } from "../src/server";

export const BASE = "http://localhost";

export function tempDir(prefix = "portico-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every log line written during the test, as raw JSON text. */
export class LogCapture {
  lines: string[] = [];
  write(line: string) {
    this.lines.push(line);
  }
  get text(): string {
    return this.lines.join("");
  }
}

export function testConfig(overrides: ConfigInput = {}): Config {
  return loadConfig({ dataDir: tempDir(), publicUrl: BASE, logLevel: "debug", ...overrides }, {});
}

export interface TestApp {
  app: App;
  deps: Deps;
  logs: LogCapture;
  close(): Promise<void>;
}

/**
 * `PORTICO_TEST_BACKEND=postgres` (`npm run test:postgres`) runs the apps and servers of these helpers on a
 * fresh Postgres database each (test/fixtures/postgres.ts), so the same tests prove both engines; a test
 * that names its own `databaseUrl` keeps it.
 */
async function onTestBackend(overrides: ConfigInput): Promise<{ overrides: ConfigInput; dropDatabase(): Promise<void> }> {
  if (process.env.PORTICO_TEST_BACKEND !== "postgres" || overrides.databaseUrl) return { overrides, dropDatabase: async () => {} };
  const { createTestDatabase } = await import("./fixtures/postgres");
  const database = await createTestDatabase();
  return { overrides: { ...overrides, databaseUrl: database.url }, dropDatabase: database.drop };
}

export async function makeApp(overrides: ConfigInput = {}): Promise<TestApp> {
  const logs = new LogCapture();
  const backend = await onTestBackend(overrides);
  const config = testConfig(backend.overrides);
  const deps = await createDeps(config, { log: createLogger(config.logLevel, logs) });
  const app = await createApp(deps);
  return {
    app,
    deps,
    logs,
    close: async () => {
      await shutdown(deps);
      await backend.dropDatabase();
    },
  };
}

/** A real listener on a free loopback port; `url` is also the public URL (issuer). */
export async function startTestServer(overrides: ConfigInput = {}): Promise<RunningServer & { logs: LogCapture }> {
  const logs = new LogCapture();
  const backend = await onTestBackend(overrides);
  const config = loadConfig({ dataDir: tempDir(), port: 0, logLevel: "debug", ...backend.overrides }, {});
  const server = await startServer(config, { log: createLogger(config.logLevel, logs) });
  const stop = server.stop;
  return Object.assign(server, {
    logs,
    stop: async () => {
      await stop();
      await backend.dropDatabase();
    },
  });
}

/** In-process request; `path` is relative to the test public URL. */
export function req(app: App, path: string, init: RequestInit = {}): Promise<Response> {
  return app.handle(new Request(BASE + path, init));
}

/** A urlencoded form post, as a browser sends it. */
export function postForm(app: App, path: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
  return req(app, path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A cookie jar that follows Set-Cookie headers across requests. */
export class CookieJar {
  private cookies = new Map<string, string>();
  store(res: Response) {
    for (const header of res.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(header) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

/** Extracts a hidden input's value from an HTML form. */
export function hiddenField(html: string, name: string): string | undefined {
  const m = html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`)) ?? html.match(new RegExp(`value="([^"]*)"[^>]*name="${name}"`));
  return m?.[1];
}

/** A free loopback port (for restarts that must keep the same public URL, so token audiences stay valid). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}
