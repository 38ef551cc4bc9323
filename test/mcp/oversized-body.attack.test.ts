/**
 * Issue 11 #15: a 5 MB body got a connection reset instead of a readable 413 for Node's http client (Bun's
 * maxRequestBodySize closed the connection first). The client here is Node itself, in a child process,
 * against a real listener, with the body declared (Content-Length) and chunked (no length).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer } from "../helpers";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** Node's http client POSTs `mb` MB to `path`; prints `{ status, body }` or `{ error }`. */
const NODE_CLIENT = `
const http = require("node:http");
const [port, path, mode, mb] = process.argv.slice(1);
const size = Number(mb) * 1024 * 1024;
const chunk = Buffer.alloc(1024 * 1024, 32);
const headers = { "content-type": "application/json", accept: "application/json" };
if (mode === "length") headers["content-length"] = size;
const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
  let body = "";
  res.on("data", (d) => (body += d));
  res.on("end", () => console.log(JSON.stringify({ status: res.statusCode, body })));
});
req.on("error", (e) => console.log(JSON.stringify({ error: e.code || e.message })));
for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
req.end();
`;

async function nodePost(path: string, mode: "length" | "chunked", mb: number): Promise<{ status?: number; body?: string; error?: string }> {
  const proc = Bun.spawn(["node", "-e", NODE_CLIENT, String(server.port), path, mode, String(mb)], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
}

describe("oversized MCP bodies", () => {
  for (const mode of ["length", "chunked"] as const) {
    test(`attack: a 5 MB body (${mode}) gets a 413 JSON-RPC error Node's http client can read, not a reset`, async () => {
      const res = await nodePost("/acme/shop", mode, 5);
      expect(res.error).toBeUndefined();
      expect(res.status).toBe(413);
      const body = JSON.parse(res.body!);
      expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
      expect(body.error.message).toContain("Payload too large");
    });
  }
});
