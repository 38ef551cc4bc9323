/**
 * Tokens for the benchmark, obtained the way a host and its user do, over real HTTP: dynamic client
 * registration → /oauth/authorize → sign-in form → consent form → code → /oauth/token with PKCE S256.
 * The browser signs in once; further grants reuse its session (signing in again would rotate the
 * session and end the grants it approved: a grant is bound to the session that approved it).
 */
import { s256 } from "../../src/lib/crypto";
import { CookieJar, hiddenField } from "../helpers";

const REDIRECT = "http://127.0.0.1:9/callback";

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/** A signed-in browser and a registered public client of one Portico. */
export interface OAuthBrowser {
  clientId: string;
  /** Runs authorize → consent → token for `resource`; the first call also signs in. */
  authorize(resource: string): Promise<TokenPair>;
}

function fail(step: string, res: Response, body = ""): never {
  throw new Error(`OAuth flow: ${step} answered ${res.status} ${body.slice(0, 300)}`);
}

export async function oauthBrowser(base: string, email: string, password: string): Promise<OAuthBrowser> {
  const jar = new CookieJar();
  const get = async (path: string) => jar.store(await fetch(new URL(path, base), { headers: { cookie: jar.header }, redirect: "manual" }));
  const post = async (path: string, fields: Record<string, string>) =>
    jar.store(
      await fetch(new URL(path, base), {
        method: "POST",
        headers: { cookie: jar.header, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
        redirect: "manual",
      }),
    );

  const registered = await fetch(`${base}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "Portico bench", redirect_uris: [REDIRECT], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] }),
  });
  if (registered.status !== 201) fail("registration", registered, await registered.text());
  const clientId = ((await registered.json()) as { client_id: string }).client_id;

  /** Follows the sign-in redirect like a browser: login page, form post, back to the authorization. */
  async function signIn(loginLocation: string): Promise<string> {
    const page = await get(loginLocation);
    const html = await page.text();
    const csrf = hiddenField(html, "csrf");
    const returnTo = hiddenField(html, "return_to")?.replaceAll("&amp;", "&");
    if (page.status !== 200 || !csrf || !returnTo) fail("login page", page, html);
    const signedIn = await post("/login", { csrf, return_to: returnTo, email, password });
    const back = signedIn.headers.get("location");
    if (signedIn.status !== 303 || !back) fail("sign-in", signedIn, await signedIn.text());
    return back;
  }

  async function authorize(resource: string): Promise<TokenPair> {
    const verifier = crypto.randomUUID() + crypto.randomUUID();
    const query = new URLSearchParams({
      response_type: "code", client_id: clientId, redirect_uri: REDIRECT, code_challenge: s256(verifier),
      code_challenge_method: "S256", state: crypto.randomUUID(), resource,
    });
    let page = await get(`/oauth/authorize?${query}`);
    if (page.status === 303 && page.headers.get("location")?.startsWith("/login")) page = await get(await signIn(page.headers.get("location")!));
    const html = await page.text();
    const requestId = hiddenField(html, "request_id");
    const csrf = hiddenField(html, "csrf");
    if (page.status !== 200 || !requestId || !csrf) fail("consent page", page, html);
    const approved = await post("/oauth/authorize", { request_id: requestId, csrf, decision: "approve" });
    const location = approved.headers.get("location");
    if (approved.status !== 303 || !location) fail("consent", approved, await approved.text());
    const callback = new URL(location);
    const code = callback.searchParams.get("code");
    if (!code || callback.searchParams.get("state") !== query.get("state") || callback.searchParams.get("iss") !== base) fail("callback", approved, location);
    const token = await fetch(`${base}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: clientId, resource }),
    });
    if (token.status !== 200) fail("token", token, await token.text());
    return (await token.json()) as TokenPair;
  }

  return { clientId, authorize };
}
