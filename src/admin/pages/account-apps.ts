/**
 * Account → Your authorized apps (`/account/apps`; one name with the org's "Authorized apps", issue 16 #9): the signed-in user's own live grants in every org, each
 * revocable, and sign-out everywhere (the accounts pages' `/account/sign-out-everywhere`), which ends every
 * session and so every grant bound to one.
 */
import { Elysia } from "elysia";
import { requireUser } from "../../auth/current";
import { checkCsrf, CSRF_FIELD } from "../../auth/csrf";
import { formFields } from "../../auth/views";
import type { Deps } from "../../deps";
import { html } from "../../web/html";
import { adminPage } from "../layout";
import { done, flashFrom } from "../context";
import { listOwnGrants, revokeOwnGrant } from "../../services/grants";
import { csrfField, emptyState, postButton, table, when } from "../ui";
import { appCell, scopeList, unverifiedNote } from "./apps";

const FLASH = { revoked: "Disconnected. The app's next request is refused; connect it again from the app if you need it." };

/** `/account/apps` routes. */
export function accountAppPages(deps: Deps) {
  return new Elysia()
    .get("/account/apps", async ({ request }) => {
      const { user, session } = await requireUser(deps, request);
      const grants = await listOwnGrants(deps, user.id);
      const rows = grants.map(
        (g) => html`<tr><td>${appCell(g)}</td><td>${g.projectName}</td><td><span class="badge">${g.channel}</span>${g.sessionId === session.id ? html`<div class="muted small">this browser</div>` : ""}</td>
<td>${scopeList(g.scopes)}</td><td>${when(g.createdAt)}</td><td>${when(g.lastUsedAt)}</td>
<td>${postButton(`/account/apps/${g.id}/revoke`, "Disconnect", session.csrfSecret, { danger: true, confirm: `Disconnect ${g.clientName}?` })}</td></tr>`,
      );
      const body = html`<h1>Your authorized apps</h1>
<p class="muted">Apps you authorized to act as you. Each stays connected while the sign-in session that approved it lasts.</p>
${grants.length ? html`${table(["App", "Project", "Channel", "Scopes", "Authorized", "Last used", ""], rows)}${unverifiedNote(grants)}` : emptyState("You have not connected any app yet. Paste a project's URL into Claude, ChatGPT or another MCP host to connect one.")}
<div class="card"><h2>Sign out everywhere</h2><p>Ends every sign-in session of yours, including this one, and disconnects every app above.</p>
<form method="post" action="/account/sign-out-everywhere" data-confirm="Sign out everywhere and disconnect every app?">${csrfField(session.csrfSecret)}
<button type="submit" class="danger">Sign out everywhere</button></form></div>`;
      return adminPage({ title: "Your authorized apps", user, flash: flashFrom(request, FLASH), body });
    })
    .post("/account/apps/:grant/revoke", async ({ request, params, body }) => {
      const { user, session } = await requireUser(deps, request);
      checkCsrf(request, formFields(body)[CSRF_FIELD], session.csrfSecret);
      await revokeOwnGrant(deps, user.id, params.grant);
      return done("/account/apps", "revoked");
    });
}
