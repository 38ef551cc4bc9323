/**
 * The security suite's world: one `portico serve` child with a project provisioned by the CLI whose
 * org, project, tools, prompt and instructions all carry markup, plus the checks every probe shares —
 * no 5xx, no stack trace or source path in any answer, and /healthz still green after each group.
 */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers";
import { portico, PASSWORD, serve, type ServeChild } from "../support/portico";

/** Markup that would run if any page rendered it unescaped. */
export const XSS = `<img src=x onerror=alert(1)>"'</script><script>alert(2)</script>`;
/** What must never appear in a page: the payload's tags as live markup. */
export const LIVE_MARKUP = [/<img src=x onerror/i, /<script>alert\(2\)/i];

export function xssManifest() {
  return {
    instructions: `Instructions ${XSS}`,
    tools: [
      {
        name: "echo", kind: "script", title: `Echo ${XSS}`, description: `Repeats text ${XSS}`,
        inputSchema: { type: "object", properties: { text: { type: "string", description: XSS } }, required: ["text"] },
        script: "export default async (input) => ({ echoed: input.text })",
      },
      { name: "card", kind: "interactive", title: `Card ${XSS}`, description: `Card ${XSS}`, html: `<!doctype html><p>${XSS}</p>` },
    ],
    prompts: [{ name: "hello", description: `Prompt ${XSS}`, template: `Hello ${XSS}` }],
  };
}

export interface World {
  server: ServeChild;
  base: string;
  dataDir: string;
  email: string;
  /** Owner API key of acme/shop. */
  key: string;
  mcpUrl: string;
}

/** Provisions acme/shop (names and tools full of markup) with the CLI and starts the server. */
export async function startWorld(flags: string[] = []): Promise<World> {
  const dataDir = tempDir("portico-security-");
  const email = "owner@acme.example";
  const manifestFile = join(dataDir, "manifest.json");
  writeFileSync(manifestFile, JSON.stringify(xssManifest()));
  await portico(dataDir, "user", "create", "--email", email, "--password", PASSWORD, "--name", `Owner ${XSS}`);
  await portico(dataDir, "org", "create", "--slug", "acme", "--name", `Acme ${XSS}`, "--owner", email);
  await portico(dataDir, "project", "create", "--org", "acme", "--slug", "shop", "--name", `Shop ${XSS}`);
  await portico(dataDir, "project", "import", "--project", "acme/shop", "--file", manifestFile);
  await portico(dataDir, "publish", "--project", "acme/shop", "--as", email, "--note", `note ${XSS}`);
  const { key } = await portico(dataDir, "apikey", "create", "--project", "acme/shop", "--email", email, "--name", `key ${XSS}`, "--scopes", "project:read tools:call draft project:write publish settings");
  const server = await serve(dataDir, flags);
  return { server, base: server.url, dataDir, email, key, mcpUrl: `${server.url}/acme/shop` };
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+|\/src\/[\w/-]+\.ts|node_modules\//;

/** A client mistake is answered, never with a 5xx and never with a stack trace or a source path. */
export async function expectSafe(res: Response, what: string): Promise<string> {
  const body = await res.text();
  if (res.status >= 500 || STACK_TRACE.test(body)) throw new Error(`${what}: ${res.status} ${body.slice(0, 500)}`);
  return body;
}

/** The server is still up and answering. */
export async function expectHealthy(w: World): Promise<void> {
  const res = await fetch(`${w.base}/healthz`);
  expect(res.status).toBe(200);
  expect(w.server.proc.exitCode).toBeNull();
}

/** A JSON-RPC POST to the project's MCP URL with the owner key unless other headers are given. */
export function mcpPost(w: World, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(w.mcpUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${w.key}`, "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body,
  });
}

/** Sends raw bytes as an HTTP request over TCP (for what fetch refuses to send) and returns the raw answer. */
export async function rawHttp(port: number, request: string): Promise<string> {
  let answer = "";
  const { promise, resolve } = Promise.withResolvers<string>();
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_s, chunk) => {
        answer += chunk.toString();
      },
      close: () => resolve(answer),
      error: () => resolve(answer),
    },
  });
  socket.write(request);
  const timer = setTimeout(() => socket.end(), 2_000);
  const out = await promise;
  clearTimeout(timer);
  return out;
}
