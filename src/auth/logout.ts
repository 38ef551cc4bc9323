/**
 * `/logout`: GET shows which connected apps signing out disconnects (their grants are bound to this
 * session); POST (with the session's CSRF token) ends the session and clears the cookie.
 */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { html } from "../web/html";
import { SESSION_COOKIE, clearCookieHeader } from "./cookies";
import { checkCsrf } from "./csrf";
import { currentUser } from "./current";
import { listGrantsBySession } from "../oauth/grants";
import { endSession } from "./sessions";
import { cardPage, csrfField, formFields, redirect } from "./views";

/** GET/POST `/logout`. */
export function logoutRoutes(deps: Deps) {
  return new Elysia()
    .get("/logout", async ({ request }) => {
      const signedIn = await currentUser(deps, request);
      if (!signedIn) return redirect("/login");
      const apps = await listGrantsBySession(deps.db, signedIn.session.id);
      const list = apps.length
        ? html`<p>Signing out also disconnects these apps, which you authorized in this browser session:</p>
<ul>${apps.map((a) => html`<li><strong>${a.clientName}</strong> — ${a.projectName}${a.channel === "draft" ? " (draft)" : ""}</li>`)}</ul>
<p class="muted small">They will ask you to sign in and authorize again.</p>`
        : html`<p class="muted">No authorized apps depend on this session.</p>`;
      return cardPage(
        "Sign out",
        html`<p>Signed in as <strong>${signedIn.user.email}</strong>.</p>${list}
<form method="post" action="/logout">${csrfField(signedIn.session.csrfSecret)}
<div class="actions"><button type="submit" data-busy="Signing out…">Sign out</button><a class="button secondary" href="/admin">Cancel</a></div></form>`,
      );
    })
    .post("/logout", async ({ request, body }) => {
      const signedIn = await currentUser(deps, request);
      if (!signedIn) return redirect("/login");
      checkCsrf(request, formFields(body).csrf, signedIn.session.csrfSecret);
      await endSession(deps, signedIn.session.id, "signed out");
      return redirect("/login?notice=signed-out", [clearCookieHeader(SESSION_COOKIE, deps.config.publicUrl)]);
    });
}
