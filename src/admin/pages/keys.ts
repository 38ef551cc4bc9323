/**
 * Project → API keys (`/admin/{org}/{project}/keys`): create with scopes (the key is shown once after the
 * redirect, with a copy button and a ready curl example), list with scopes and last use, revoke. A key acts with its scopes ∩ its creator's current role;
 * keys that can change things (project:write, publish, settings) are labelled "management" (issue 11 #2).
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { allowedScopes, DEFAULT_KEY_SCOPES, MANAGEMENT_SCOPES, roleAtLeast, SCOPE_WORDS, SCOPES } from "../../auth/scopes";
import { html } from "../../web/html";
import { adminPage, projectPath } from "../layout";
import { csrfOf, done, flashFrom, postedForm, projectPageAccess } from "../context";
import { createKey, listKeys, revokeKey } from "../../services/keys";
import { invoke } from "../../services/operation";
import type { ProjectAccess } from "../../services/access";
import { holdOnce, takeOnce } from "../one-time";
import { redirect } from "../../auth/views";
import { channelUrl } from "../../projects/projects";
import { copyBox, csrfField, emptyState, pageSlice, postButton, table, when } from "../ui";

const FLASH = { revoked: "API key revoked. Requests with it are refused from now on." };

/** One checkbox per scope your role allows; MCP use is ticked by default, management scopes are marked. */
function scopeBoxes(access: ProjectAccess) {
  const allowed = allowedScopes(access.role, "draft");
  return SCOPES.filter((sc) => allowed.includes(sc)).map(
    (sc) => html`<label class="check"><input type="checkbox" name="${`scope:${sc}`}"${DEFAULT_KEY_SCOPES.includes(sc) ? html` checked` : ""}> <span>${SCOPE_WORDS[sc]} <code class="scope">${sc}</code>${MANAGEMENT_SCOPES.includes(sc) ? html` <span class="badge warn">management</span>` : ""}</span></label>`,
  );
}

/** The ticked `scope:NAME` boxes as the `scopes` list (none ticked → "choose at least one scope"). */
function scopesFromForm(fields: Record<string, string>): Record<string, unknown> {
  return { ...fields, scopes: Object.keys(fields).filter((k) => k.startsWith("scope:")).map((k) => k.slice("scope:".length)) };
}

/** What the page after the create redirect shows once (admin/one-time.ts). */
interface NewKey {
  key: string;
  name: string;
}
const NEW_KEY = "new-key";

/** A request a script can run as is: `tools/list` on the project's production URL with this key (README "Other MCP hosts and scripts"). */
function curlExample(mcpUrl: string, key: string) {
  return html`<pre class="code"><code>curl -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\
     -H "Accept: application/json, text/event-stream" \\
     -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' ${mcpUrl}</code></pre>`;
}

async function render(deps: Deps, request: Request, access: ProjectAccess): Promise<Response> {
  const { org, project } = access;
  const created = access.via.kind === "session" ? takeOnce<NewKey>(deps, access.via.sessionId, NEW_KEY, new URL(request.url).searchParams.get("shown")) : null;
  const mcpUrl = channelUrl(deps.config.publicUrl, org.slug, project.slug, "production");
  const keys = await invoke(listKeys, deps, access, {});
  const manage = roleAtLeast(access.role, "admin");
  const csrf = csrfOf(access);
  const { items, pager } = pageSlice(request, keys);
  const now = deps.clock.now();
  const rows = items.map(
    (k) => html`<tr><td><strong>${k.name}</strong>${k.management ? html` <span class="badge warn" title="Can change the project or its settings">management</span>` : ""}<div class="muted small"><code>${k.prefix}…</code></div></td><td>${k.channel ?? "any"}</td>
<td class="small">${k.scopes.map((sc) => html`<code>${sc}</code> `)}</td>
<td>${k.createdByEmail ?? "former member"}<div class="muted small">${when(k.createdAt)}</div></td><td>${when(k.lastUsedAt)}</td>
<td>${k.revokedAt ? html`<span class="badge err">revoked</span>` : k.expiresAt && k.expiresAt < now ? html`<span class="badge warn">expired</span>` : k.expiresAt ? html`expires ${when(k.expiresAt)}` : html`<span class="badge ok">active</span>`}</td>
<td>${manage && !k.revokedAt ? postButton(projectPath(org, project, `/keys/${k.id}/revoke`), "Revoke", csrf, { danger: true, confirm: `Revoke the key "${k.name}"? Scripts using it stop working at once.` }) : ""}</td></tr>`,
  );
  const shown = created
    ? html`<div class="notice ok" role="status"><p><strong>New key “${created.name}”.</strong> Copy it now: it is shown only this once and Portico keeps only a hash.</p>${copyBox(created.key, "Copy key")}
<p class="small">Send it as <code>Authorization: Bearer …</code> to the project's MCP URL or to <code>/api/v1</code> (<a href="/api/v1/docs">API docs</a>). Try it:</p>${curlExample(mcpUrl, created.key)}</div>`
    : "";
  const usage = keys.length && !created
    ? html`<div class="card"><h2>Use a key</h2><p class="small">Send the key as a bearer token to the project's MCP URL (or to <code>/api/v1</code>). This lists the published tools:</p>${curlExample(mcpUrl, "prt_…")}<p class="small">The management API and what each call needs: <a href="/api/v1/docs">API docs</a>.</p></div>`
    : "";
  const form = manage
    ? html`<div class="card"><h2>Create a key</h2><form method="post" action="${projectPath(org, project, "/keys")}">${csrfField(csrf)}
<div class="filters"><div><label for="k-name">Name</label><input id="k-name" name="name" type="text" required maxlength="100" placeholder="CI deploy"></div>
<div><label for="k-channel">Channel</label><select id="k-channel" name="channel"><option value="">any my role reaches</option><option value="production">production only</option><option value="draft">draft only</option></select></div>
<div><label for="k-exp">Expires</label><select id="k-exp" name="expiresInDays"><option value="">never</option><option value="30">in 30 days</option><option value="90">in 90 days</option><option value="365">in a year</option></select></div></div>
<fieldset><legend>Scopes</legend>${scopeBoxes(access)}</fieldset>
<p class="muted small">A key can do only what its scopes say, and never more than your role in this organization, checked on every request: if your role is lowered the key follows; if you leave, it is revoked for good. Leave the defaults for MCP use (read and call tools).</p>
<div class="actions"><button type="submit" data-busy="Creating…">Create key</button></div></form></div>`
    : html`<p class="muted small">Only admins can create or revoke API keys.</p>`;
  const body = html`<h1>API keys</h1>${shown}${keys.length ? html`${table(["Key", "Channel", "Scopes", "Created by", "Last used", "Status", ""], rows)}${pager}` : emptyState("No API keys. Keys let scripts and CI call this project without a browser sign-in.")}${usage}${form}`;
  return adminPage({ title: "API keys", user: access.user, role: access.role, org, project, projectTab: "keys", flash: flashFrom(request, FLASH), body });
}

/** API key routes. */
export function keyPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/keys", async ({ request, params }) => render(deps, request, await projectPageAccess(deps, request, params.org, params.project)))
    .post("/admin/:org/:project/keys", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const fields = postedForm(request, body, access);
      const made = await invoke(createKey, deps, access, scopesFromForm(fields));
      // POST/redirect/GET (issue 16 #7): a reload of the next page cannot create a second key; the secret
      // travels to it server-side, never in the URL.
      const via = access.via.kind === "session" ? access.via : null;
      const shown = via ? holdOnce(deps, via.sessionId, NEW_KEY, { key: made.key, name: made.name } satisfies NewKey) : "";
      return redirect(`${projectPath(access.org, access.project, "/keys")}?shown=${encodeURIComponent(shown)}`);
    })
    .post("/admin/:org/:project/keys/:key/revoke", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      postedForm(request, body, access);
      await invoke(revokeKey, deps, access, { id: params.key });
      return done(projectPath(access.org, access.project, "/keys"), "revoked");
    });
}
