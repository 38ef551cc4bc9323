/** `/login`: the sign-in form and its POST. `return_to` (relative only) says where to go afterwards. */
import { Elysia } from "elysia";
import { z } from "zod";
import { AppError, RateLimitError, fromZod } from "../errors";
import { html } from "../web/html";
import { checkCsrf, preSessionCsrf } from "./csrf";
import { currentUser, safeReturnTo } from "./current";
import type { SignIn } from "./sign-in";
import { pendingAuthorization, type PendingAuthorization } from "../oauth/pending-request";
import { cardPage, csrfField, field, formFields, hidden, notice, redirect } from "./views";

const LoginFormSchema = z.object({
  email: z.string().trim().max(254).default(""),
  password: z.string().max(1024).default(""),
  csrf: z.string().optional(),
  return_to: z.string().optional(),
});

/** Fixed notices selected by `?notice=`; never reflected text. */
const NOTICES: Record<string, string> = {
  "signed-out": "You are signed out.",
  "password-changed": "Your password was changed. Sign in with the new one.",
};

interface LoginView {
  csrf: string;
  /** The authorization this sign-in interrupts, if any (issue 16 #8). */
  connecting?: PendingAuthorization | null;
  returnTo?: string;
  email?: string;
  error?: string | null;
  info?: string | null;
}

/** Which app and project the user is connecting, and how to join if they are not a member yet. */
function connectingNote(c: PendingAuthorization | null | undefined) {
  if (!c) return "";
  const target = c.project
    ? html` to <strong>${c.project.name}</strong> <span class="muted small">(${c.project.org}${c.project.channel === "draft" ? ", draft" : ""})</span>`
    : "";
  return html`<div class="notice" id="connecting"><p>Sign in to connect <strong>${c.appName}</strong>${c.verified ? "" : html` <span class="badge warn">unverified</span>`}${target}.</p>
<p class="small">Not a member yet? Ask an admin of the organization for an invite link, open it and create your account; then connect again from the app.</p></div>`;
}

/** The sign-in form (also shown again, with the error, after a refused attempt). */
export function loginForm(view: LoginView) {
  return html`${connectingNote(view.connecting)}${notice(view.info, "ok")}${notice(view.error)}
<form method="post" action="/login">
${csrfField(view.csrf)}${hidden("return_to", view.returnTo)}
${field("Email", "email", { type: "email", value: view.email, autocomplete: "username", autofocus: !view.email })}
${field("Password", "password", { type: "password", autocomplete: "current-password", autofocus: Boolean(view.email) })}
<div class="actions"><button type="submit" data-busy="Signing in…">Sign in</button></div>
</form>
<p class="muted small">No account? Ask an organization admin for an invite link. Forgot your password? An admin can give you a reset link.</p>`;
}

/** GET/POST `/login`. */
export function loginRoutes(signIn: SignIn) {
  const { deps } = signIn;
  return new Elysia()
    .get("/login", async ({ request, query }) => {
      const returnTo = typeof query.return_to === "string" ? safeReturnTo(query.return_to) : undefined;
      if ((await currentUser(deps, request))) return redirect(returnTo ?? "/admin");
      const csrf = preSessionCsrf(request, deps.config.publicUrl);
      const info = typeof query.notice === "string" ? (NOTICES[query.notice] ?? null) : null;
      const connecting = await pendingAuthorization(deps, returnTo);
      return cardPage("Sign in to Portico", loginForm({ csrf: csrf.token, returnTo, info, connecting }), { setCookie: csrf.setCookie ? [csrf.setCookie] : [] });
    })
    .post("/login", async ({ request, body, server }) => {
      const parsed = LoginFormSchema.safeParse(formFields(body));
      if (!parsed.success) throw fromZod(parsed.error);
      const form = parsed.data;
      checkCsrf(request, form.csrf);
      const returnTo = form.return_to ? safeReturnTo(form.return_to) : undefined;
      try {
        const user = await signIn.authenticate(request, server, form.email, form.password);
        return redirect(returnTo ?? "/admin", await signIn.startSession(request, server, user.id));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const csrf = preSessionCsrf(request, deps.config.publicUrl);
        const headers: Record<string, string> = err instanceof RateLimitError ? { "retry-after": String(err.retryAfterSeconds) } : {};
        const message = err instanceof RateLimitError ? `Too many sign-in attempts. Wait ${Math.ceil(err.retryAfterSeconds / 60)} min and try again.` : err.message;
        return cardPage("Sign in to Portico", loginForm({ csrf: csrf.token, returnTo, email: form.email, error: message, connecting: await pendingAuthorization(deps, returnTo) }), {
          status: err.status === 400 ? 401 : err.status,
          headers,
        });
      }
    });
}
