/** Shared steps for auth tests: a user, a browser (cookie jar) and form posts that carry its CSRF token. */
import { createOrg } from "../../src/projects/orgs";
import { addUser, PASSWORD } from "../fixtures/world";
import { CookieJar, hiddenField, req, type TestApp } from "../helpers";

export { PASSWORD };

/** A user named Ada (password PASSWORD) who signs in through the pages, owning `orgSlug` when given. */
export async function seedUser(t: TestApp, email = "ada@example.com", orgSlug?: string) {
  const user = await addUser(t.deps, email, "Ada");
  const org = orgSlug ? await createOrg(t.deps.db, { slug: orgSlug }, user.id) : undefined;
  return { user, org };
}

/** A browser: follows Set-Cookie, and `submit` fetches the form page first to read its CSRF token. */
export class Browser {
  jar = new CookieJar();
  constructor(readonly t: TestApp, readonly ip = "198.51.100.7") {}

  async get(path: string): Promise<Response> {
    return this.jar.store(await req(this.t.app, path, { headers: { cookie: this.jar.header } }));
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.jar.store(
      await req(this.t.app, path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.jar.header },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  }

  /** Loads `pagePath`, takes its CSRF token, posts `fields` to `action` (default: the same path). */
  async submit(pagePath: string, fields: Record<string, string>, action = pagePath.split("?")[0]!): Promise<Response> {
    const html = await (await this.get(pagePath)).text();
    const csrf = hiddenField(html, "csrf");
    if (!csrf) throw new Error(`no CSRF field on ${pagePath}`);
    return this.post(action, { csrf, ...fields });
  }

  async signIn(email: string, password = PASSWORD, returnTo?: string): Promise<Response> {
    return this.submit(`/login${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ""}`, { email, password, ...(returnTo ? { return_to: returnTo } : {}) }, "/login");
  }
}
