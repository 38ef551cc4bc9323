/**
 * A real listener with the seeded world (one org, one project, members of each role), plus SDK clients
 * authenticated with API keys (or none, for public projects).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { allowedScopes } from "../../src/auth/scopes";
import type { Channel, Role } from "../../src/db/schema";
import type { ConfigInput } from "../../src/config";
import { startTestServer } from "../helpers";
import { EXAMPLE_EMAILS, ROLES, seedWorld } from "../fixtures/world";

export const ECHO_TOOL = {
  name: "echo",
  kind: "interactive",
  title: "Echo",
  description: "Shows the text",
  inputSchema: { type: "object", properties: { text: { type: "string" }, times: { type: "integer", minimum: 1 } }, required: ["text"] },
  html: "<!doctype html><p>echo</p>",
} as const;

/** The seeded world (test/fixtures/world.ts) behind a real listener; `users` are ids, and nobody is signed in. */
export async function mcpFixture(overrides: ConfigInput = {}) {
  const server = await startTestServer(overrides);
  const deps = server.deps;
  const w = await seedWorld(deps, {
    emails: EXAMPLE_EMAILS,
    projects: [{ slug: "shop", name: "Shop", instructions: "Use the shop tools to answer." }],
    sessions: false,
  });
  const users = Object.fromEntries(ROLES.map((role) => [role, w.users[role].id])) as Record<Role, string>;
  // Test keys carry every scope their creator's role allows (issue 11 #2 made the default MCP use only), so
  // these tests keep exercising the role checks; scope-limited keys are tested in test/apikeys.
  const keyFor = async (role: Role, channel?: Channel) => (await w.apiKey(role, { channel, scopes: allowedScopes(role, channel ?? "draft") })).key;
  const url = (channel: Channel = "production") => w.url("shop", channel);
  return { server, deps, org: w.org, project: w.project, users, keyFor, url, stop: () => server.stop() };
}

export type McpFixture = Awaited<ReturnType<typeof mcpFixture>>;

/** An SDK client connected to `url` with the given bearer (or none). */
export async function connectClient(url: string, bearer?: string, name = "test-host"): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: bearer ? { headers: { Authorization: `Bearer ${bearer}` } } : {},
  });
  await client.connect(transport);
  return client;
}

/** Raw JSON-RPC POST to an MCP URL. */
export function rpc(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
