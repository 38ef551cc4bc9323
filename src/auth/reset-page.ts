/** `/reset/{token}`: choose a new password from a reset link, then continue signed in. */
import { Elysia } from "elysia";
import { AppError } from "../errors";
import { html } from "../web/html";
import { messagePage } from "../web/layout";
import { checkCsrf, preSessionCsrf } from "./csrf";
import { MIN_PASSWORD_LENGTH } from "./passwords";
import { findResetUser, usePasswordReset } from "./password-resets";
import type { SignIn } from "./sign-in";
import { cardPage, csrfField, field, formFields, notice, redirect } from "./views";

function resetForm(token: string, csrf: string, email: string, error?: string) {
  return html`<p>Choose a new password for <strong>${email}</strong>. All your sessions end, and apps you connected will ask you to authorize again.</p>
${notice(error)}
<form method="post" action="/reset/${token}">${csrfField(csrf)}
${field("New password", "password", { type: "password", autocomplete: "new-password", autofocus: true, hint: `At least ${MIN_PASSWORD_LENGTH} characters.` })}
${field("Repeat the new password", "confirm", { type: "password", autocomplete: "new-password" })}
<div class="actions"><button type="submit">Set password</button></div></form>`;
}

const invalid = (err: AppError) => messagePage("Reset link not valid", err.message, err.status, html`<p><a href="/login">Sign in</a></p>`);

/** GET/POST `/reset/{token}`. */
export function resetRoutes(signIn: SignIn) {
  const { deps } = signIn;
  /** The email the link is for, or the page saying the link is dead. */
  const resetEmail = async (token: string): Promise<string | Response> => {
    try {
      return (await findResetUser(deps.db, token, deps.clock.now())).email;
    } catch (err) {
      if (err instanceof AppError) return invalid(err);
      throw err;
    }
  };
  return new Elysia()
    .get("/reset/:token", async ({ request, params }) => {
      const email = await resetEmail(params.token);
      if (email instanceof Response) return email;
      const csrf = preSessionCsrf(request, deps.config.publicUrl);
      return cardPage("Reset your password", resetForm(params.token, csrf.token, email), { setCookie: csrf.setCookie ? [csrf.setCookie] : [] });
    })
    .post("/reset/:token", async ({ request, params, body, server }) => {
      const fields = formFields(body);
      checkCsrf(request, fields.csrf);
      const email = await resetEmail(params.token);
      if (email instanceof Response) return email;
      const password = fields.password ?? "";
      const again = (message: string, status = 400) => {
        const csrf = preSessionCsrf(request, deps.config.publicUrl);
        return cardPage("Reset your password", resetForm(params.token, csrf.token, email, message), { status });
      };
      if (password !== fields.confirm) return again("The two passwords differ.");
      try {
        const user = await usePasswordReset(deps, params.token, password);
        return redirect("/admin", await signIn.startSession(request, server, user.id));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return again(err.message, err.status);
      }
    });
}
