/**
 * An `OAuthClientProvider` for the MCP SDK's own client OAuth (`auth()`), whose "browser" is a cookie jar
 * over real HTTP: it signs in on Portico's /login page and approves the consent page by form posts, then
 * keeps the code the redirect carried, exactly as a host's browser window would.
 */
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { CookieJar, hiddenField } from "../helpers";

export interface BrowserUser {
  email: string;
  password: string;
}

export class TestOAuthProvider implements OAuthClientProvider {
  readonly jar = new CookieJar();
  private info: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";
  /** The code from the last completed authorization, and the redirect it came on. */
  code: string | undefined;
  lastRedirect: URL | undefined;
  /** Every URL the browser was sent to, in order (to assert the sign-in detour). */
  visited: string[] = [];

  constructor(
    private readonly opts: {
      redirectUrl: string;
      user: BrowserUser;
      clientMetadataUrl?: string;
      authMethod?: "none" | "client_secret_post" | "client_secret_basic";
      /** Scopes to untick on the consent page (the others stay as the page shows them). */
      untick?: string[];
    },
  ) {
    this.clientMetadataUrl = opts.clientMetadataUrl;
  }

  clientMetadataUrl?: string;

  get redirectUrl() {
    return this.opts.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "SDK Test Client",
      redirect_uris: [this.opts.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: this.opts.authMethod ?? "none",
    };
  }

  state() {
    return "sdk-state-42";
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery") {
    if (scope === "all" || scope === "client") this.info = undefined;
    if (scope === "all" || scope === "tokens") this.saved = undefined;
  }

  private async get(url: string): Promise<Response> {
    this.visited.push(url);
    return this.jar.store(await fetch(url, { headers: { cookie: this.jar.header }, redirect: "manual" }));
  }

  private async post(url: string, fields: Record<string, string>): Promise<Response> {
    this.visited.push(url);
    return this.jar.store(
      await fetch(url, {
        method: "POST",
        headers: { cookie: this.jar.header, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
        redirect: "manual",
      }),
    );
  }

  /** What a browser posts for the consent page's scope checkboxes: the enabled, ticked ones, minus `untick`. */
  private ticked(html: string): Record<string, string> {
    if (!hiddenField(html, "scopes_shown")) return {};
    const boxes = [...html.matchAll(/<input type="checkbox" name="(scope:[^"]+)" checked>/g)].map((m) => m[1]!);
    const kept = boxes.filter((name) => !(this.opts.untick ?? []).includes(name.slice("scope:".length)));
    return { scopes_shown: "1", ...Object.fromEntries(kept.map((name) => [name, "on"])) };
  }

  /** Plays the browser: follow redirects, sign in when asked, approve the consent page, stop at the client. */
  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const origin = authorizationUrl.origin;
    let res = await this.get(authorizationUrl.href);
    for (let step = 0; step < 10; step++) {
      const location = res.headers.get("location");
      if (location) {
        const next = new URL(location, origin);
        if (next.href.startsWith(this.opts.redirectUrl)) {
          this.lastRedirect = next;
          this.code = next.searchParams.get("code") ?? undefined;
          return;
        }
        res = await this.get(next.href);
        continue;
      }
      const html = await res.text();
      const url = new URL(this.visited.at(-1)!);
      if (url.pathname === "/login") {
        res = await this.post(`${origin}/login`, {
          email: this.opts.user.email,
          password: this.opts.user.password,
          csrf: hiddenField(html, "csrf") ?? "",
          return_to: hiddenField(html, "return_to") ?? "",
        });
        continue;
      }
      const requestId = hiddenField(html, "request_id");
      if (!requestId) throw new Error(`the browser got stuck at ${url.pathname} (${res.status}): ${html.slice(0, 300)}`);
      res = await this.post(`${origin}/oauth/authorize`, { request_id: requestId, csrf: hiddenField(html, "csrf") ?? "", decision: "approve", ...this.ticked(html) });
    }
    throw new Error("too many redirects");
  }
}
