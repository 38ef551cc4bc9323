/**
 * The consent page: small, self-contained HTML (the shared stylesheet only, no external assets) that says
 * who is asking (DCR names are self-asserted, so they are labelled unverified), where the browser will be
 * sent, which project and channel, the user's role and only the scopes that will be granted, in plain words.
 * The form carries the request id, the CSRF token and, for one named project, the scopes the user left
 * ticked (issue 16 #3: grant less than the role allows) (docs/architecture.md: OAuth 2.1 rules). Framing is
 * forbidden by the page headers (`frame-ancestors 'none'`, X-Frame-Options); there is deliberately no
 * `form-action` directive: Chrome applies it to the redirect that follows the POST, back to the client.
 */
import type { OAuthClient, Role } from "../db/schema";
import { MANAGEMENT_SCOPES, requiredScopes, SCOPE_WORDS, type Scope } from "../auth/scopes";
import { CSRF_FIELD } from "../auth/csrf";
import { html, type Html } from "../web/html";
import { messagePage, page } from "../web/layout";
import { redirectHost } from "./redirect-uri";
import type { ResourceTarget } from "./resource";

/** One project channel the user may connect, with what would be granted there. */
export interface ConsentChoice {
  target: ResourceTarget;
  role: Role;
  scopes: Scope[];
  /** Whether the project offers its management tools on this channel (off | draft | draft and production). */
  management: boolean;
}

/** Marks a post from the single-project page, whose scope checkboxes are `scope:<name>` fields. */
export const SCOPES_SHOWN = "scopes_shown";
const SCOPE_FIELD = "scope:";

/** The scopes ticked on the consent page. */
export function scopeFields(form: Record<string, string>): string[] {
  return Object.keys(form).filter((k) => k.startsWith(SCOPE_FIELD) && form[k] === "on").map((k) => k.slice(SCOPE_FIELD.length));
}

/** What the `portico_*` tools do with each management scope, in words (src/mcp/management lists the tools). */
const MANAGEMENT_WORDS: Partial<Record<Scope, string>> = {
  "project:write": "List, create, change, duplicate and delete draft tools; read and change the instructions",
  publish: "Publish the draft, roll back, and list versions",
  settings: "Read the audit log and list members and authorized apps (never keys or secrets)",
};

/** Everything the consent page shows. */
export interface ConsentView {
  requestId: string;
  csrf: string;
  client: OAuthClient;
  redirectUri: string;
  userEmail: string;
  /** One entry when the client named the resource; several when the user must pick. */
  choices: ConsentChoice[];
}

function appName(client: OAuthClient): Html {
  if (client.registration === "dcr") return html`<strong>${client.name}</strong> <span class="badge warn">unverified</span>`;
  return html`<strong>${client.name}</strong> <span class="muted small">(${new URL(client.id).host})</span>`;
}

function channelLabel(target: ResourceTarget): Html {
  return target.channel === "draft"
    ? html`<span class="badge warn">draft</span> the unpublished working copy`
    : html`production (the published version)`;
}

function scopeList(scopes: Scope[]): Html {
  return html`<ul class="scopes">${scopes.map((s) => html`<li>${SCOPE_WORDS[s]}</li>`)}</ul>`;
}

/** One checkbox per scope; the required ones are shown ticked and cannot be unticked. */
function scopeChecks(scopes: Scope[], target: ResourceTarget): Html {
  const required = requiredScopes(target.channel);
  return html`<input type="hidden" name="${SCOPES_SHOWN}" value="1"><div class="scopes">${scopes.map((s) =>
    required.includes(s)
      ? html`<label class="check"><input type="checkbox" name="${SCOPE_FIELD + s}" checked disabled> ${SCOPE_WORDS[s]} <span class="muted small">(needed to connect)</span></label>`
      : html`<label class="check"><input type="checkbox" name="${SCOPE_FIELD + s}" checked> ${SCOPE_WORDS[s]}</label>`,
  )}</div><p class="muted small">Untick what this app should not do; it gets only what stays ticked.</p>`;
}

/** What the management tools could do with the offered scopes (listed only where the project turned them on). */
function managementList(choice: ConsentChoice): Html | "" {
  const words = choice.scopes.filter((s) => MANAGEMENT_SCOPES.includes(s)).map((s) => MANAGEMENT_WORDS[s]);
  if (!choice.management || words.length === 0) return "";
  return html`<h2>Management tools</h2>
<p class="muted small">This project offers Portico's own <code>portico_*</code> tools on this URL. With the boxes above ticked, the app can:</p>
<ul class="scopes management-tools">${words.map((w) => html`<li>${w}</li>`)}</ul>`;
}

function single(choice: ConsentChoice): Html {
  const { target, role, scopes } = choice;
  return html`<dl class="facts">
<dt>Project</dt><dd>${target.project.name} <span class="muted small">${target.org.slug}/${target.project.slug}</span></dd>
<dt>Channel</dt><dd>${channelLabel(target)}</dd>
<dt>Your role</dt><dd>${role}</dd>
</dl>
<h2>It will be able to</h2>
${scopeChecks(scopes, target)}
${managementList(choice)}`;
}

function picker(choices: ConsentChoice[]): Html {
  return html`<p>The app did not say which project it wants. Choose one:</p>
${choices.map(
  (c, i) => html`<label class="inline"><input type="radio" name="resource" value="${c.target.url}" ${i === 0 ? html`checked` : ""}>
<span><strong>${c.target.project.name}</strong> · ${channelLabel(c.target)} <span class="muted small">(${c.target.org.slug}/${c.target.project.slug}, role ${c.role})</span>
${scopeList(c.scopes)}</span></label>`,
)}`;
}

/** Renders the consent page. */
export function consentPage(view: ConsentView): Response {
  const [first] = view.choices;
  const body = html`<div class="card">
<h1>Connect an app</h1>
<p>${appName(view.client)} wants to act as <strong>${view.userEmail}</strong>.</p>
<dl class="facts">
<dt>Sends you back to</dt><dd><code>${redirectHost(view.redirectUri)}</code></dd>
</dl>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="request_id" value="${view.requestId}">
<input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}">
${view.choices.length === 1 && first ? single(first) : picker(view.choices)}
<p class="muted small">You can disconnect it at any time; signing out of this browser disconnects it too.</p>
<div class="actions">
<button type="submit" name="decision" value="approve" data-busy="Authorizing…">Authorize</button>
<button type="submit" name="decision" value="deny" class="secondary" data-busy="Denying…">Deny</button>
</div>
</form>
</div>`;
  return page({ title: "Authorize app", narrow: true, body });
}

/** The pending request a refusal page offers ways out of. */
export interface RefusedRequest {
  requestId: string;
  csrf: string;
  /** Host of the request's validated, registered redirect URI. */
  host: string;
}

/**
 * A refusal people read (non-member, role too low): never a consent page. With the pending request it is no
 * dead end (issue 16 #8): "use another account" signs this browser out and returns to the same
 * authorization; "return to the app" sends `access_denied` to the client (RFC 6749 §4.1.2.1) through the
 * same deny path as the consent page, so the open-redirect rules (error-redirect-policy.ts) still apply.
 */
export function refusalPage(message: string, request?: RefusedRequest): Response {
  const ways = request
    ? html`<form method="post" action="/oauth/authorize">
<input type="hidden" name="request_id" value="${request.requestId}">
<input type="hidden" name="${CSRF_FIELD}" value="${request.csrf}">
<div class="actions">
<button type="submit" name="decision" value="switch-account">Use another account</button>
<button type="submit" name="decision" value="deny" class="secondary">Return to ${request.host} without connecting</button>
</div>
<p class="muted small">“Use another account” signs you out of Portico in this browser (apps you connected in this browser session are disconnected) and brings you back here to sign in.</p>
</form>`
    : undefined;
  return messagePage("Not allowed", message, 403, ways);
}

/**
 * An authorization error that is not redirected (unknown client, bad redirect URI, expired request); `back`:
 * the error's URL at a validated but untrusted redirect URI, offered as a link the user chooses to follow.
 */
export function authorizeErrorPage(message: string, back?: { href: string; host: string }): Response {
  const next = back
    ? html`<p><a class="button secondary" href="${back.href}" rel="noreferrer">Return to ${back.host}</a></p>
<p class="muted small">The app will be told that the authorization failed.</p>`
    : undefined;
  return messagePage("Authorization failed", message, 400, next);
}
