/**
 * One HTTP/1.1 request over TLS from a chosen local address (e.g. 127.0.0.2). `fetch` cannot pick its
 * source address, and every loopback client otherwise arrives as 127.0.0.1 — the same address the proxy
 * uses to reach Portico — so a test could not tell "the client the proxy saw" from "the proxy's own socket".
 */
import { connect as tcpConnect } from "node:net";
import { connect } from "node:tls";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Decodes a `Transfer-Encoding: chunked` body (RFC 9112 §7.1); trailers are ignored. */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(at, eol).toString("latin1").split(";")[0]!, 16);
    if (!size) break;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export async function httpsFrom(
  localAddress: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; ca: string; timeoutMs?: number },
): Promise<RawResponse> {
  const target = new URL(url);
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const head = [
    `${init.method} ${target.pathname}${target.search} HTTP/1.1`,
    `host: ${target.host}`,
    "connection: close",
    ...Object.entries(init.headers).map(([k, v]) => `${k}: ${v}`),
    ...(body ? [`content-length: ${body.length}`] : []),
  ].join("\r\n");
  const raw = await new Promise<Buffer>((ok, fail) => {
    const chunks: Buffer[] = [];
    // TCP from the chosen address first, then TLS over it (SNI and verification against the URL's host).
    const tcp = tcpConnect({ host: target.hostname === "localhost" ? "127.0.0.1" : target.hostname, port: Number(target.port), localAddress });
    const socket = connect({
      socket: tcp,
      servername: target.hostname,
      ca: init.ca,
      ALPNProtocols: ["http/1.1"],
    });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer from ${url} within ${init.timeoutMs ?? 10_000} ms`)), init.timeoutMs ?? 10_000);
    socket.once("secureConnect", () => {
      socket.write(`${head}\r\n\r\n`);
      if (body) socket.write(body);
    });
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.once("error", (err) => {
      clearTimeout(timer);
      fail(err);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      ok(Buffer.concat(chunks));
    });
  });
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) throw new Error(`no HTTP response from ${url}: ${raw.toString("latin1").slice(0, 200)}`);
  const [statusLine, ...lines] = raw.subarray(0, split).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = raw.subarray(split + 4);
  const decoded = /chunked/i.test(headers["transfer-encoding"] ?? "") ? dechunk(rest) : rest;
  return { status: Number(statusLine!.split(" ")[1]), headers, body: decoded.toString("utf8") };
}
