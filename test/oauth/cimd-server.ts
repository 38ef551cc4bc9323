/**
 * A local https server that serves Client ID Metadata Documents for tests (self-signed certificate made
 * with openssl for 127.0.0.1). Its behaviour is switchable per test: the document, caching headers,
 * ETag revalidation, a redirect, an error status, a delay.
 */
import { afterAll, beforeAll } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../helpers";

export interface CimdBehaviour {
  /** The document served; `client_id` defaults to the URL it is served at. */
  doc?: Record<string, unknown>;
  /** Raw body instead of `doc`. */
  raw?: string;
  status?: number;
  cacheControl?: string;
  etag?: string;
  redirectTo?: string;
  /** Wait this long before answering (a server slower than the fetch timeout). */
  delayMs?: number;
}

export class CimdServer {
  private server: ReturnType<typeof Bun.serve>;
  behaviour: CimdBehaviour = {};
  /** Every request: path and If-None-Match. */
  hits: Array<{ path: string; ifNoneMatch: string | null }> = [];

  constructor() {
    const dir = tempDir("portico-cimd-");
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    const made = Bun.spawnSync([
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    ]);
    if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    this.server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { cert: Bun.file(cert), key: Bun.file(key) },
      fetch: (request) => this.answer(request),
    });
  }

  /** The https client_id URL for `path`. */
  url(path = "/client.json"): string {
    return `https://127.0.0.1:${this.server.port}${path}`;
  }

  private async answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const ifNoneMatch = request.headers.get("if-none-match");
    this.hits.push({ path: url.pathname, ifNoneMatch });
    const b = this.behaviour;
    if (b.delayMs) await Bun.sleep(b.delayMs);
    if (b.redirectTo) return new Response(null, { status: 302, headers: { location: b.redirectTo } });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (b.cacheControl) headers["cache-control"] = b.cacheControl;
    if (b.etag) headers.etag = b.etag;
    if (b.etag && ifNoneMatch === b.etag) return new Response(null, { status: 304, headers });
    const body = b.raw ?? JSON.stringify({ client_id: this.url(url.pathname), ...b.doc });
    return new Response(body, { status: b.status ?? 200, headers });
  }

  stop() {
    void this.server.stop(true);
  }
}

/**
 * One CimdServer for a test file: its certificate is self-signed, so TLS verification is off while the file
 * runs (the SSRF policy still runs on every fetch) and restored after. `init` sets the starting behaviour.
 */
export function cimdServerPerFile(init: (server: CimdServer) => void = () => {}): { readonly server: CimdServer } {
  const holder = {} as { server: CimdServer };
  let previousTls: string | undefined;
  beforeAll(() => {
    previousTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    holder.server = new CimdServer();
    init(holder.server);
  });
  afterAll(() => {
    if (previousTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTls;
    holder.server.stop();
  });
  return holder;
}
