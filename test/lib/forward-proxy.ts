/**
 * A small recording HTTP forward proxy on loopback, standing in for a company's egress proxy (issue 12):
 * `CONNECT host:port` opens a raw tunnel, an absolute-form request (`GET http://host:port/path`) is
 * forwarded in origin form. It records every connection and every request head it was asked, so tests
 * can prove what Portico asked for (the checked IP, the credentials) and that a refused target never
 * reached it. It never connects beyond loopback: `route` maps a requested target to a local listener.
 */
import * as net from "node:net";

export interface ProxyRequest {
  method: string;
  /** The request target as sent: `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
}

export interface ForwardProxyOptions {
  /** Answer every request with this status (e.g. 407) instead of forwarding. */
  refuse?: number;
  /** Where to really connect for a requested host and port; default: that host and port, loopback only. */
  route?: (host: string, port: number) => { host: string; port: number };
}

export interface ForwardProxy {
  url: string;
  port: number;
  /** TCP connections accepted (a refused target must leave this unchanged). */
  connections: number;
  requests: ProxyRequest[];
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function parseHead(head: string): ProxyRequest {
  const [line, ...rest] = head.split("\r\n");
  const [method = "", target = ""] = line!.split(" ");
  const headers: Record<string, string> = {};
  for (const h of rest) {
    const i = h.indexOf(":");
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return { method, target, headers };
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(":");
  return { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(hostPort.slice(i + 1)) };
}

export async function startForwardProxy(opts: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: ForwardProxy = { url: "", port: 0, connections: 0, requests: [], close: async () => {} };
  const connectUpstream = (want: { host: string; port: number }) => {
    const to = opts.route ? opts.route(want.host, want.port) : want;
    if (!LOOPBACK.test(to.host)) throw new Error(`test proxy: refusing to leave loopback (${to.host})`);
    const up = net.connect(to.port, to.host);
    sockets.add(up);
    return up;
  };
  const server = net.createServer((client) => {
    proxy.connections++;
    sockets.add(client);
    client.on("error", () => {});
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const request = parseHead(buffered.subarray(0, end).toString("latin1"));
      const rest = buffered.subarray(end + 4);
      proxy.requests.push(request);
      if (opts.refuse) {
        client.end(`HTTP/1.1 ${opts.refuse} Refused\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      let up: net.Socket;
      try {
        up = connectUpstream(request.method === "CONNECT" ? splitHostPort(request.target) : splitHostPort(new URL(request.target).host));
      } catch {
        client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      up.on("error", () => client.destroy());
      up.on("connect", () => {
        if (request.method === "CONNECT") {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          if (rest.length) up.write(rest);
        } else {
          // Origin form upstream, without the hop-by-hop Proxy-* and Connection headers (RFC 9110 §7.6.1).
          const url = new URL(request.target);
          const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`];
          for (const [k, v] of Object.entries(request.headers)) if (!k.startsWith("proxy-") && k !== "connection") lines.push(`${k}: ${v}`);
          // One request per connection, so every request passes through here and is recorded.
          lines.push("connection: close");
          up.write(`${lines.join("\r\n")}\r\n\r\n`);
          if (rest.length) up.write(rest);
        }
        client.pipe(up);
        up.pipe(client);
      });
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
