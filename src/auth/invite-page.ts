/**
 * `/invite/{token}`: join an organization. A signed-in user confirms; anyone else signs in or creates an
 * account (sign-up exists only here and in setup). `return_to` survives the whole detour, so an invite
 * opened in the middle of an OAuth authorization goes back to it (docs/architecture.md: Organization).
 */
import { Elysia } from "elysia";
import { z } from "zod";
import type { Deps } from "../deps";
import { AppError, ConflictError, fromZod } from "../errors";
import { html, type Html } from "../web/html";
import { messagePage } from "../web/layout";
import { checkCsrf, preSessionCsrf } from "./csrf";
import { currentUser, safeReturnTo, type SignedIn } from "./current";
import { acceptInvite, assertInviteUsable, findInvite } from "./invites";
import { MIN_PASSWORD_LENGTH } from "./passwords";
import type { SignIn } from "./sign-in";
import { createUser, findUserByEmail } from "./users";
import { cardPage, csrfField, field, formFields, hidden, notice, redirect } from "./views";

const InviteFormSchema = z.object({
  mode: z.enum(["join", "signin", "signup"]),
  csrf: z.string().optional(),
  return_to: z.string().optional(),
  name: z.string().trim().max(200).default(""),
  email: z.string().trim().max(254).default(""),
  password: z.string().max(1024).default(""),
});

type Found = NonNullable<Awaited<ReturnType<typeof findInvite>>>;

interface View {
  found: Found;
  token: string;
  returnTo?: string;
  signedIn: SignedIn | null;
  csrf: string;
  values?: Record<string, string>;
  error?: string;
}

function anonymousForms(v: View): Html {
  const action = `/invite/${v.token}`;
  const email = v.values?.email ?? v.found.invite.email ?? "";
  return html`<h2>New to Portico? Create your account</h2>
<form method="post" action="${action}">${csrfField(v.csrf)}${hidden("return_to", v.returnTo)}${hidden("mode", "signup")}
${field("Your name", "name", { value: v.values?.name, autocomplete: "name", required: false })}
${field("Email", "email", { type: "email", value: email, autocomplete: "username" })}
${field("Password", "password", { type: "password", autocomplete: "new-password", hint: `At least ${MIN_PASSWORD_LENGTH} characters.` })}
<div class="actions"><button type="submit">Create account and join</button></div></form>
<h2>Already have an account? Sign in</h2>
<form method="post" action="${action}">${csrfField(v.csrf)}${hidden("return_to", v.returnTo)}${hidden("mode", "signin")}
${field("Email", "email", { type: "email", value: email, autocomplete: "username", form: "signin" })}
${field("Password", "password", { type: "password", autocomplete: "current-password", form: "signin" })}
<div class="actions"><button type="submit" class="secondary">Sign in and join</button></div></form>`;
}

function invitePage(v: View, status = 200, setCookie: string[] = []): Response {
  const { org, invite } = v.found;
  const intro = html`<p>You are invited to join <strong>${org.name}</strong> (${org.slug}) as <span class="badge">${invite.role}</span>.</p>`;
  const body = v.signedIn
    ? html`<p class="muted">Signed in as ${v.signedIn.user.email}.</p>
<form method="post" action="/invite/${v.token}">${csrfField(v.csrf)}${hidden("return_to", v.returnTo)}${hidden("mode", "join")}
<div class="actions"><button type="submit">Join ${org.name}</button><a class="button secondary" href="/logout">Use another account</a></div></form>`
    : anonymousForms(v);
  // A way out for one who does not want to join now (issue 16 #8; the crawler found none).
  const notNow = html`<p class="muted small"><a href="${v.signedIn ? "/admin" : "/login"}">Not now</a>: ${v.signedIn ? "back to your organizations" : "sign in without joining"}; the link stays valid until it expires.</p>`;
  return cardPage(`Join ${org.name}`, html`${intro}${notice(v.error)}${body}${notNow}`, { status, setCookie });
}

function unusablePage(err: AppError): Response {
  return messagePage("Invite link not usable", err.message, err.status, html`<p><a href="/login">Sign in</a></p>`);
}

/** GET/POST `/invite/{token}`. */
export function inviteRoutes(signIn: SignIn) {
  const { deps } = signIn;

  async function view(request: Request, found: Found, token: string, returnTo: string | undefined): Promise<{ v: View; setCookie: string[] }> {
    const signedIn = await currentUser(deps, request);
    if (signedIn) return { v: { found, token, returnTo, signedIn, csrf: signedIn.session.csrfSecret }, setCookie: [] };
    const csrf = preSessionCsrf(request, deps.config.publicUrl);
    return { v: { found, token, returnTo, signedIn, csrf: csrf.token }, setCookie: csrf.setCookie ? [csrf.setCookie] : [] };
  }

  return new Elysia()
    .get("/invite/:token", async ({ request, params, query }) => {
      const found = await findInvite(deps.db, params.token, deps.clock.now());
      try {
        assertInviteUsable(found);
      } catch (err) {
        return unusablePage(err as AppError);
      }
      const returnTo = typeof query.return_to === "string" ? safeReturnTo(query.return_to) : undefined;
      const { v, setCookie } = await view(request, found, params.token, returnTo);
      return invitePage(v, 200, setCookie);
    })
    .post("/invite/:token", async ({ request, params, body, server }) => {
      const fields = formFields(body);
      const signedIn = await currentUser(deps, request);
      checkCsrf(request, fields.csrf, signedIn?.session.csrfSecret);
      const found = await findInvite(deps.db, params.token, deps.clock.now());
      try {
        assertInviteUsable(found);
      } catch (err) {
        return unusablePage(err as AppError);
      }
      const returnTo = fields.return_to ? safeReturnTo(fields.return_to) : undefined;
      try {
        const parsed = InviteFormSchema.safeParse(fields);
        if (!parsed.success) throw fromZod(parsed.error);
        const form = parsed.data;
        if (form.mode === "join" && signedIn) {
          await acceptInvite(deps.db, { token: params.token, userId: signedIn.user.id, email: signedIn.user.email }, deps.clock.now());
          return redirect(returnTo ?? "/admin");
        }
        const user = form.mode === "signup"
          ? await signUp(deps, found, form)
          : await signIn.authenticate(request, server, form.email, form.password);
        await acceptInvite(deps.db, { token: params.token, userId: user.id, email: user.email }, deps.clock.now());
        return redirect(returnTo ?? "/admin", await signIn.startSession(request, server, user.id));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const { v, setCookie } = await view(request, found, params.token, returnTo);
        return invitePage({ ...v, values: fields, error: err.message }, err.status === 400 && fields.mode === "signin" ? 401 : err.status, setCookie);
      }
    });
}

async function signUp(deps: Deps, found: Found, form: { name: string; email: string; password: string }) {
  assertInviteUsable(found, form.email);
  if ((await findUserByEmail(deps.db, form.email))) throw new ConflictError("An account with this email already exists: use the sign-in form below.");
  return createUser(deps.db, { email: form.email, name: form.name, password: form.password }, deps.clock.now());
}
