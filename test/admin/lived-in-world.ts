/**
 * The seeded world (test/fixtures/world.ts) as it looks after some use, so every page has something to
 * show and every link something to lead to: the demo manifest's tools, instructions and prompt in `shop`
 * (src/cli/demo-manifest.ts), published as v1 then edited again (the draft is ahead), a second project,
 * tool calls in the project audit log (one failed), edits in the org log, an API key, a pending invite
 * and an app authorized over OAuth. Used by the crawler (crawl.browser.test.ts) and by `npm run
 * screenshots` (test/screenshots/capture.ts). Everything goes through the services and storage calls
 * the faces use; the audit rows go through the audit writer as a tool call writes them.
 */
import type { AuditRow } from "../../src/audit/writer";
import { DEMO_MANIFEST } from "../../src/cli/demo-manifest";
import type { Deps } from "../../src/deps";
import { createGrant } from "../../src/oauth/grants";
import { registerClient } from "../../src/oauth/register";
import { createDraftTool, importManifest } from "../../src/projects/draft";
import { createProject } from "../../src/projects/projects";
import { projectAccess, orgAccess, type Via } from "../../src/services/access";
import { setInstructions } from "../../src/services/instructions";
import { inviteMember } from "../../src/services/members";
import { invoke } from "../../src/services/operation";
import { publishDraft } from "../../src/services/publish";
import type { SignedInWorld } from "../fixtures/world";

export interface LivedIn {
  /** The authorized app's client id. */
  appId: string;
  /** The API key's id. */
  keyId: string;
  /** The pending invite's link (its token is in it). */
  inviteUrl: string;
}

/** Adds the history described in the file comment to a freshly seeded world. */
export async function liveIn(deps: Deps, w: SignedInWorld, callback: string): Promise<LivedIn> {
  const via = (who: "owner" | "admin" | "developer"): Via => ({ kind: "session", sessionId: w.members[who].sessionId, csrfSecret: w.members[who].csrf });
  const asOwner = await projectAccess(deps, w.users.owner, via("owner"), w.org.slug, w.project.slug);
  await importManifest(deps, w.project.id, DEMO_MANIFEST);
  await invoke(publishDraft, deps, asOwner, { note: "First release" });
  // After the release: a developer adds a tool and edits the instructions, so the draft is ahead of v1.
  await createDraftTool(deps, w.project.id, {
    name: "get_order",
    title: "Find an order",
    kind: "script",
    description: "Finds an order by its number.",
    inputSchema: { type: "object", properties: { id: { type: "integer", description: "The order number" } }, required: ["id"] },
    script: "export default async (input) => ({ id: input.id, status: \"shipped\" });",
  });
  const asDeveloper = await projectAccess(deps, w.users.developer, via("developer"), w.org.slug, w.project.slug);
  await invoke(setInstructions, deps, asDeveloper, { instructions: `${DEMO_MANIFEST.instructions} Use get_order to look up an order.` });
  await createProject(deps.db, w.org.id, { slug: "support", name: "Support desk" });

  const key = await w.apiKey("admin", { name: "CI deploy" });
  const asAdmin = await orgAccess(deps, w.users.admin, via("admin"), w.org.slug);
  const invite = await invoke(inviteMember, deps, asAdmin, { role: "developer", email: "new.hire@acme.test" });
  const { client_id } = await registerClient(deps, { client_name: "Claude", redirect_uris: [callback], token_endpoint_auth_method: "none" });
  const appId = String(client_id);
  const grant = await createGrant(deps.db, {
    userId: w.users.owner.id, orgId: w.org.id, projectId: w.project.id, channel: "production", resource: w.url(),
    clientId: appId, scopes: "mcp", sessionId: w.members.owner.sessionId,
  });

  const t0 = deps.clock.now() - 3600_000;
  const call = (over: Partial<AuditRow>): AuditRow => ({
    projectId: w.project.id, time: t0, channel: "production", principal: "user", userId: w.users.owner.id, grantId: grant.id, clientId: appId,
    apiKeyId: null, sessionId: null, method: "tools/call", tool: "word_stats", version: 1, input: '{"text":"the quick brown fox"}',
    output: '{"words":4,"characters":19,"longest":"quick"}', status: "ok", errorClass: null, error: null, logs: null, durationMs: 4,
    host: "claude-ai 1.0", ip: "10.0.0.1", ...over,
  });
  deps.audit.record(call({}));
  deps.audit.record(call({ time: t0 + 65_000, tool: "show_palette", input: '{"colors":["#2f5bd3","#e4572e"]}', output: '{"colors":["#2f5bd3","#e4572e"]}' }));
  deps.audit.record(call({
    time: t0 + 130_000, principal: "apikey", userId: w.users.admin.id, grantId: null, clientId: null, apiKeyId: key.id, tool: "delete_note",
    input: '{"title":"draft"}', output: null, status: "error", errorClass: "runtime", error: "The user declined.", host: "curl/8.5",
  }));
  deps.audit.record(call({ time: t0 + 200_000, channel: "draft", version: null, userId: w.users.developer.id, grantId: null, clientId: null, principal: "user", tool: "get_order", input: '{"id":7}', output: '{"id":7,"status":"shipped"}', host: "mcp-inspector 0.16" }));
  await deps.audit.flush();
  return { appId, keyId: key.id, inviteUrl: invite.url };
}
