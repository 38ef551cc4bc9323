/**
 * `/setup?token=…`: first run. Creates the owner account and the first organization, then signs the owner
 * in. Works once: the token is consumed, and the page refuses as soon as any user exists.
 */
import { Elysia } from "elysia";
import { z } from "zod";
import { recordOrgEvent } from "../audit/org-audit";
import { AppError, ConflictError, fromZod } from "../errors";
import { createOrg, findOrg, parseSlug } from "../projects/orgs";
import { SLUG_PATTERN, slugify } from "../projects/slugs";
import { html } from "../web/html";
import { messagePage } from "../web/layout";
import { checkCsrf, preSessionCsrf } from "./csrf";
import { checkPasswordStrength, MIN_PASSWORD_LENGTH } from "./passwords";
import { consumeSetupToken, isSetupTokenValid } from "./setup-link";
import type { SignIn } from "./sign-in";
import { EmailSchema, countUsers, createUser, findUserByEmail } from "./users";
import { cardPage, csrfField, field, formFields, hidden, notice, redirect } from "./views";

const SetupFormSchema = z.object({
  token: z.string().max(100).default(""),
  csrf: z.string().optional(),
  name: z.string().trim().max(200).default(""),
  email: z.string().trim().max(254).default(""),
  password: z.string().max(1024).default(""),
  org_name: z.string().trim().min(1, "give your organization a name").max(200),
  org_slug: z.string().trim().max(48).default(""),
});

function setupForm(csrf: string, token: string, values: Record<string, string | undefined> = {}, error?: string) {
  return html`<p class="muted">Create the owner account and your first organization. Its slug is the first part of every project URL.</p>
${notice(error)}
<form method="post" action="/setup">${csrfField(csrf)}${hidden("token", token)}
${field("Your name", "name", { value: values.name, autocomplete: "name", required: false, autofocus: true })}
${field("Email", "email", { type: "email", value: values.email, autocomplete: "username" })}
${field("Password", "password", { type: "password", autocomplete: "new-password", hint: `At least ${MIN_PASSWORD_LENGTH} characters.` })}
${field("Organization name", "org_name", { value: values.org_name, autocomplete: "organization" })}
${field("Organization slug", "org_slug", { value: values.org_slug, required: false, attrs: { pattern: SLUG_PATTERN, maxlength: "48", "data-slug-from": "f-org_name" }, hint: "Lowercase letters, digits and dashes, e.g. acme. Leave empty to derive it from the name." })}
<div class="actions"><button type="submit">Create owner and organization</button></div>
</form>`;
}

const alreadySetUp = () =>
  messagePage("Portico is already set up", "This setup link is no longer valid because an account exists. Sign in instead.", 410, html`<p><a class="button" href="/login">Sign in</a></p>`);
const badLink = () =>
  messagePage("Setup link not valid", "Use the setup link printed by the server when it started; restarting the server prints a fresh one.", 404);

/** GET/POST `/setup`. */
export function setupRoutes(signIn: SignIn) {
  const { deps } = signIn;
  return new Elysia()
    .get("/setup", async ({ request, query }) => {
      if ((await countUsers(deps.db)) > 0) return alreadySetUp();
      if (!(await isSetupTokenValid(deps.db, query.token))) return badLink();
      const csrf = preSessionCsrf(request, deps.config.publicUrl);
      return cardPage("Set up Portico", setupForm(csrf.token, String(query.token)), { setCookie: csrf.setCookie ? [csrf.setCookie] : [] });
    })
    .post("/setup", async ({ request, body, server }) => {
      const fields = formFields(body);
      checkCsrf(request, fields.csrf);
      if ((await countUsers(deps.db)) > 0) return alreadySetUp();
      if (!(await isSetupTokenValid(deps.db, fields.token))) return badLink();
      try {
        const parsed = SetupFormSchema.safeParse(fields);
        if (!parsed.success) throw fromZod(parsed.error);
        const form = parsed.data;
        const email = EmailSchema.safeParse(form.email);
        if (!email.success) throw fromZod({ issues: [{ path: ["email"], message: "enter a valid email address" }] });
        checkPasswordStrength(form.password);
        const slug = parseSlug(form.org_slug || slugify(form.org_name), "org_slug");
        if ((await findOrg(deps.db, slug))) throw new ConflictError(`An organization with the slug "${slug}" already exists.`);
        if ((await findUserByEmail(deps.db, email.data))) throw new ConflictError(`A user with the email ${email.data} already exists.`);
        if (!(await consumeSetupToken(deps.db, form.token))) return badLink();
        const user = await createUser(deps.db, { email: email.data, name: form.name, password: form.password }, deps.clock.now());
        const org = await createOrg(deps.db, { slug, name: form.org_name }, user.id, deps.clock.now());
        await recordOrgEvent(deps.db, { orgId: org.id, actorId: user.id, action: "org.created", targetType: "org", targetId: org.id, details: { via: "setup" }, time: deps.clock.now() });
        deps.log.info({ userId: user.id, orgId: org.id }, "first-run setup completed");
        return redirect("/admin", await signIn.startSession(request, server, user.id));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const csrf = preSessionCsrf(request, deps.config.publicUrl);
        return cardPage("Set up Portico", setupForm(csrf.token, fields.token ?? "", fields, err.message), { status: err.status });
      }
    });
}
