/**
 * `/setup?token=…`: first run. Creates the owner account and the first organization, then signs the owner
 * in. Works once: the token is consumed, and the page refuses as soon as any user exists.
 */
import { Elysia } from "elysia";
import { z } from "zod";
import { recordOrgEvent } from "../audit/org-audit";
import { AppError } from "../errors";
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

const FORM_FIELDS = ["name", "email", "password", "org_name", "org_slug"];

/** One refused field of the setup form. */
interface FieldProblem {
  field: string;
  message: string;
}

function setupForm(csrf: string, token: string, values: Record<string, string | undefined> = {}, problems: FieldProblem[] = []) {
  // Every problem beside its field at once (issue 16 #9); the notice only says how many.
  const error = (name: string) => problems.filter((p) => p.field === name).map((p) => p.message).join("; ") || undefined;
  const fields = new Set(problems.map((p) => p.field));
  const unplaced = problems.filter((p) => !FORM_FIELDS.includes(p.field)).map((p) => p.message);
  const summary = unplaced.length ? unplaced.join(" ") : fields.size > 1 ? `${fields.size} fields need a change: see the messages below each one.` : problems.length ? "Not set up yet: see the message below." : null;
  // A slug the user typed stays theirs: portico.js no longer fills it from the name.
  const slugAttrs: Record<string, string> = { pattern: SLUG_PATTERN, maxlength: "48", "data-slug-from": "f-org_name", ...(values.org_slug ? { "data-edited": "1" } : {}) };
  return html`<p class="muted">Create the owner account and your first organization. Its slug is the first part of every project URL.</p>
${notice(summary)}
<form method="post" action="/setup">${csrfField(csrf)}${hidden("token", token)}
${field("Your name", "name", { value: values.name, autocomplete: "name", required: false, autofocus: true, error: error("name") })}
${field("Email", "email", { type: "email", value: values.email, autocomplete: "username", error: error("email") })}
${field("Password", "password", { type: "password", autocomplete: "new-password", error: error("password"), hint: `At least ${MIN_PASSWORD_LENGTH} characters.` })}
${field("Organization name", "org_name", { value: values.org_name, autocomplete: "organization", error: error("org_name") })}
${field("Organization slug", "org_slug", { value: values.org_slug, required: false, error: error("org_slug"), attrs: slugAttrs, hint: "Lowercase letters, digits and dashes, e.g. acme. Leave empty to derive it from the name." })}
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
      const refuse = (problems: FieldProblem[], status = 400) => {
        const csrf = preSessionCsrf(request, deps.config.publicUrl);
        return cardPage("Set up Portico", setupForm(csrf.token, fields.token ?? "", fields, problems), { status });
      };
      try {
        // Every field is checked before any is refused, so the page lists all problems at once (issue 16 #9).
        const problems: FieldProblem[] = [];
        const parsed = SetupFormSchema.safeParse(fields);
        if (!parsed.success) problems.push(...parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? "form"), message: i.message })));
        const form = parsed.success ? parsed.data : { ...fields, name: fields.name ?? "", org_name: fields.org_name ?? "", org_slug: (fields.org_slug ?? "").trim(), token: fields.token ?? "", password: fields.password ?? "", email: fields.email ?? "" };
        const email = EmailSchema.safeParse((form.email ?? "").trim());
        if (!email.success) problems.push({ field: "email", message: "enter a valid email address" });
        const attempt = <T>(check: () => T): T | null => {
          try {
            return check();
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            problems.push(...((err.details as FieldProblem[] | undefined) ?? [{ field: "form", message: err.message }]));
            return null;
          }
        };
        attempt(() => checkPasswordStrength(form.password));
        const slug = form.org_slug || form.org_name ? attempt(() => parseSlug(form.org_slug || slugify(form.org_name), "org_slug")) : null;
        if (slug && (await findOrg(deps.db, slug))) problems.push({ field: "org_slug", message: `an organization with the slug "${slug}" already exists` });
        if (email.success && (await findUserByEmail(deps.db, email.data))) problems.push({ field: "email", message: `a user with the email ${email.data} already exists` });
        if (problems.length || !slug || !email.success) return refuse(problems, problems.some((p) => p.message.includes("already exists")) ? 409 : 400);
        if (!(await consumeSetupToken(deps.db, form.token))) return badLink();
        const user = await createUser(deps.db, { email: email.data, name: form.name, password: form.password }, deps.clock.now());
        const org = await createOrg(deps.db, { slug, name: form.org_name }, user.id, deps.clock.now());
        await recordOrgEvent(deps.db, { orgId: org.id, actorId: user.id, action: "org.created", targetType: "org", targetId: org.id, details: { via: "setup" }, time: deps.clock.now() });
        deps.log.info({ userId: user.id, orgId: org.id }, "first-run setup completed");
        return redirect("/admin", await signIn.startSession(request, server, user.id));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return refuse([{ field: "form", message: err.message }], err.status);
      }
    });
}
