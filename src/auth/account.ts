/**
 * `/account`: the signed-in user's own settings — their display name, change password (ends every session, then continues in
 * a fresh one), list own sessions and revoke one, sign out everywhere. Each ended session also ends the
 * grants it approved (docs/architecture.md: Grant).
 */
import { Elysia } from "elysia";
import { AppError } from "../errors";
import { html } from "../web/html";
import { SESSION_COOKIE, clearCookieHeader } from "./cookies";
import { checkCsrf } from "./csrf";
import { requireUser, type SignedIn } from "./current";
import { MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords";
import { endAllSessions, endSession, listSessions } from "./sessions";
import { listGrantsBySession } from "../oauth/grants";
import type { SignIn } from "./sign-in";
import { setPassword } from "./users";
import { csrfField, field, formFields, redirect } from "./views";
import { adminPage } from "../admin/layout";
import { when } from "../admin/ui";
import { deviceName } from "../lib/device-name";
import { renameSelf } from "../services/account";
import { ValidationError } from "../errors";

const NOTICES: Record<string, string> = {
  "password-changed": "Password changed. Your other sessions were signed out.",
  "session-revoked": "That session was signed out.",
  "name-changed": "Name saved.",
};

/** A refused name change: the text the user typed and why, shown beside the field. */
interface NameRefusal {
  value: string;
  message: string;
}

async function accountPage(deps: SignIn["deps"], s: SignedIn, info?: string | null, error?: string | null, status = 200, nameRefusal?: NameRefusal): Promise<Response> {
  const csrf = csrfField(s.session.csrfSecret);
  const sessions = (await listSessions(deps.db, s.user.id)).sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  const rows = await Promise.all(sessions.map(async (x) => {
      const apps = (await listGrantsBySession(deps.db, x.id)).length;
      const current = x.id === s.session.id;
      // The device in words (issue 16 #9); the raw header stays in the title for whoever needs it.
      return html`<tr><td><span title="${x.userAgent ?? ""}">${deviceName(x.userAgent)}</span>${current ? html` <span class="badge ok">this browser</span>` : ""}</td>
<td>${x.ip ?? ""}</td><td>${when(x.createdAt)}</td><td>${when(x.lastSeenAt)}</td><td>${apps}</td>
<td>${current ? html`<a href="/logout">Sign out</a>` : html`<form method="post" action="/account/sessions/${x.id}/revoke" class="inline">${csrf}<button class="link" type="submit">Sign out</button></form>`}</td></tr>`;
  }));
  return adminPage({
    title: "Your account",
    status,
    user: s.user,
    flash: error ? { kind: "error", text: error } : info ? { kind: "ok", text: info } : null,
    body: html`<h1>Your account</h1>
<div class="card"><h2>Your name</h2>
<p class="muted small">Shown to the other members of your organizations beside your email <strong>${s.user.email}</strong>.</p>
<form method="post" action="/account/name">${csrf}
<label for="f-name">Name</label><input id="f-name" name="name" type="text" required maxlength="100" autocomplete="name" value="${nameRefusal?.value ?? s.user.name}"${nameRefusal ? html` aria-invalid="true" aria-describedby="e-name"` : ""}>
${nameRefusal ? html`<div class="field-error" id="e-name">${nameRefusal.message}</div>` : ""}
<div class="actions"><button type="submit" data-busy="Saving…">Save name</button></div></form></div>
<div class="card"><h2>Change password</h2>
<p class="muted small">Every session ends, including the apps connected through them; this browser stays signed in.</p>
<form method="post" action="/account/password">${csrf}
${field("Current password", "current", { type: "password", autocomplete: "current-password" })}
${field("New password", "password", { type: "password", autocomplete: "new-password", hint: `At least ${MIN_PASSWORD_LENGTH} characters.` })}
<div class="actions"><button type="submit">Change password</button></div></form></div>
<div class="card"><h2>Sessions</h2>
<div class="table-wrap"><table><thead><tr><th>Device</th><th>IP</th><th>Signed in</th><th>Last seen</th><th>Authorized apps</th><th></th></tr></thead>
<tbody>${rows}</tbody></table></div>
<form method="post" action="/account/sign-out-everywhere" data-confirm="Sign out of every session, here too?">${csrf}
<div class="actions"><button type="submit" class="danger">Sign out everywhere</button></div></form></div>`,
  });
}

/** `/account` and its POST actions (password, revoke one session, sign out everywhere). */
export function accountRoutes(signIn: SignIn) {
  const { deps } = signIn;
  return new Elysia()
    .get("/account", async ({ request, query }) => {
      const s = await requireUser(deps, request);
      return await accountPage(deps, s, typeof query.notice === "string" ? NOTICES[query.notice] : null);
    })
    .post("/account/name", async ({ request, body }) => {
      const s = await requireUser(deps, request);
      const fields = formFields(body);
      checkCsrf(request, fields.csrf, s.session.csrfSecret);
      try {
        await renameSelf(deps, s.user.id, { name: fields.name ?? "" });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const message = (err.details as Array<{ message: string }> | undefined)?.[0]?.message ?? err.message;
        return accountPage(deps, s, null, "The name was not saved.", 400, { value: fields.name ?? "", message });
      }
      return redirect("/account?notice=name-changed");
    })
    .post("/account/password", async ({ request, body, server }) => {
      const s = await requireUser(deps, request);
      const fields = formFields(body);
      checkCsrf(request, fields.csrf, s.session.csrfSecret);
      if (!(await verifyPassword(fields.current ?? "", s.user.passwordHash))) {
        return accountPage(deps, s, null, "The current password is wrong.", 400);
      }
      try {
        await setPassword(deps.db, s.user.id, fields.password ?? "", deps.clock.now());
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return accountPage(deps, s, null, err.message, err.status);
      }
      await endAllSessions(deps, s.user.id, "password changed");
      return redirect("/account?notice=password-changed", await signIn.startSession(request, server, s.user.id));
    })
    .post("/account/sessions/:id/revoke", async ({ request, params, body }) => {
      const s = await requireUser(deps, request);
      checkCsrf(request, formFields(body).csrf, s.session.csrfSecret);
      const own = (await listSessions(deps.db, s.user.id)).find((x) => x.id === params.id);
      if (!own) return accountPage(deps, s, null, "That session is not yours or has already ended.", 404);
      await endSession(deps, own.id, "revoked by user");
      return redirect(own.id === s.session.id ? "/login?notice=signed-out" : "/account?notice=session-revoked");
    })
    .post("/account/sign-out-everywhere", async ({ request, body }) => {
      const s = await requireUser(deps, request);
      checkCsrf(request, formFields(body).csrf, s.session.csrfSecret);
      await endAllSessions(deps, s.user.id, "signed out everywhere");
      return redirect("/login?notice=signed-out", [clearCookieHeader(SESSION_COOKIE, deps.config.publicUrl)]);
    });
}
