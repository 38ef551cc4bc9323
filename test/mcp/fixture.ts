/**
 * A real listener with one org, one project and members of each role, plus SDK clients authenticated
 * with API keys (or none, for public projects).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createApiKey } from "../../src/apikeys/keys";
import { allowedScopes } from "../../src/auth/scopes";
import { createUser } from "../../src/auth/users";
import type { Channel, Role } from "../../src/db/schema";
import { addMember, createOrg } from "../../src/projects/orgs";
import { createProject } from "../../src/projects/projects";
import type { ConfigInput } from "../../src/config";
import { startTestServer } from "../helpers";

export const ECHO_TOOL = {
  name: "echo",
  kind: "interactive",
  title: "Echo",
  description: "Shows the text",
  inputSchema: { type: "object", properties: { text: { type: "string" }, times: { type: "integer", minimum: 1 } }, required: ["text"] },
  html: "<!doctype html><p>echo</p>",
} as const;

export async function mcpFixture(overrides: ConfigInput = {}) {
  const server = await startTestServer(overrides);
  const deps = server.deps;
  const users = {} as Record<Role, string>;
  for (const role of ["owner", "admin", "developer", "viewer"] as const) {
    users[role] = (await createUser(deps.db, { email: `${role}@example.com`, password: "correct horse battery" })).id;
  }
  const org = createOrg(deps.db, { slug: "acme", name: "Acme" }, users.owner);
  for (const role of ["admin", "developer", "viewer"] as const) addMember(deps.db, org.id, users[role], role);
  const project = createProject(deps.db, org.id, { slug: "shop", name: "Shop", instructions: "Use the shop tools to answer." });
  // Test keys carry every scope their creator's role allows (issue 11 #2 made the default MCP use only), so
  // these tests keep exercising the role checks; scope-limited keys are tested in test/apikeys.
  const keyFor = (role: Role, channel?: Channel) =>
    createApiKey(deps, { projectId: project.id, userId: users[role], name: `${role} key`, channel, scopes: allowedScopes(role, channel ?? "draft") }).key;
  const url = (channel: Channel = "production") => `${server.url}/acme/shop${channel === "draft" ? "/draft" : ""}`;
  return { server, deps, org, project, users, keyFor, url, stop: () => server.stop() };
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
