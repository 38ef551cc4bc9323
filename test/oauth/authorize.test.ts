import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { makeApp, postForm, req, type TestApp } from "../helpers";
import { eq } from "drizzle-orm";
import { setRole } from "../../src/projects/orgs";
import { authRequests, oauthClients } from "../../src/db/schema";
import { approve, authorizeParams, authorizePath, openConsent, pkce, REDIRECT, registerClient, seedWorld, signIn, type World } from "./fixtures";

let t: TestApp;
let w: World;
let clientId: string;
const { challenge } = pkce();

beforeEach(async () => {
  t = await makeApp();
  w = await seedWorld(t.deps);
  clientId = (await registerClient(t.app)).client_id;
});
afterEach(() => t.close());

/** `resource: null` sends none. */
const path = (extra: Record<string, string | undefined> = {}, resource: string | null = w.url("shop")) =>
  authorizePath(authorizeParams(clientId, challenge, resource ?? undefined, extra));

function expectPage(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("content-type")).toContain("text/html");
}

/** After the user's decision the browser goes straight back to the client. */
function redirected(res: Response): URL {
  expect(res.status).toBe(303);
  const url = new URL(res.headers.get("location")!);
  expect(url.origin + url.pathname).toBe(REDIRECT);
  expect(url.searchParams.get("state")).toBe("st-123");
  expect(url.searchParams.get("iss")).toBe("http://localhost");
  return url;
}

/**
 * Issue 11 #7 (RFC 9700 §4.11.1): the DCR client's redirect URI is not trusted, so the error is a page whose
 * link back (with error, state and iss) the user may follow; no automatic redirect.
 */
async function redirectedError(res: Response): Promise<URL> {
  expectPage(res, 400);
  const href = /<a class="button secondary" href="([^"]+)"/.exec(await res.text())?.[1];
  expect(href).toBeString();
  const url = new URL(href!.replaceAll("&amp;", "&"));
  expect(url.origin + url.pathname).toBe(REDIRECT);
  expect(url.searchParams.get("state")).toBe("st-123");
  expect(url.searchParams.get("iss")).toBe("http://localhost");
  return url;
}

describe("GET /oauth/authorize: errors before the redirect URI is validated render a page", () => {
  test("an unknown client gets a page, never a redirect", async () => {
    const res = await req(t.app, authorizePath(authorizeParams("cli_unknown", challenge, w.url("shop"))));
    expectPage(res, 400);
    expect(await res.text()).toContain("Register the client again");
  });

  test("a redirect URI that is not exactly registered gets a page", async () => {
    for (const bad of ["http://127.0.0.1:33418/callback/extra", "https://evil.example/callback", "http://127.0.0.1:33418/callback?x=1"]) {
      expectPage(await req(t.app, path({ redirect_uri: bad })), 400);
    }
  });

  test("a loopback redirect URI may vary only its port (RFC 8252 §7.3)", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const page = await openConsent(t.app, path({ redirect_uri: "http://127.0.0.1:51234/callback" }), cookie);
    expect(page.res.status).toBe(200);
    expect(page.requestId).toBeString();
    expectPage(await req(t.app, path({ redirect_uri: "http://localhost:51234/callback" })), 400);
  });

  test("a repeated parameter gets a page", async () => {
    expectPage(await req(t.app, `${path()}&state=again`), 400);
    // RFC 8707 allows several resources, but a token has one audience (docs/architecture.md: Product rules): refused before anything is stored.
    expectPage(await req(t.app, `${path()}&resource=${encodeURIComponent(w.url("crm"))}`), 400);
  });
});

describe("GET /oauth/authorize: errors after the redirect URI is validated go back to the client with state and iss (by a link the user follows)", () => {
  test("missing PKCE is invalid_request", async () => {
    const url = await redirectedError(await req(t.app, path({ code_challenge: undefined })));
    expect(url.searchParams.get("error")).toBe("invalid_request");
  });

  test("plain PKCE is invalid_request", async () => {
    const url = await redirectedError(await req(t.app, path({ code_challenge_method: "plain" })));
    expect(url.searchParams.get("error")).toBe("invalid_request");
    const missingMethod = await redirectedError(await req(t.app, path({ code_challenge_method: undefined })));
    expect(missingMethod.searchParams.get("error")).toBe("invalid_request");
  });

  test("response_type other than code is unsupported_response_type", async () => {
    const url = await redirectedError(await req(t.app, path({ response_type: "token" })));
    expect(url.searchParams.get("error")).toBe("unsupported_response_type");
  });

  test("a resource that is not exactly a channel URL is invalid_target", async () => {
    const shop = w.url("shop");
    for (const resource of [`${shop}/`, `${shop}?x=1`, `${shop}#frag`, `${shop}/draft?x=1`, `${shop}%2Fdraft`, "http://LOCALHOST/acme/shop", "http://localhost/acme", "http://localhost/acme/nope", "https://other.example/acme/shop", `${w.url("shop")}/draft/x`]) {
      const url = await redirectedError(await req(t.app, path({}, resource)));
      expect(url.searchParams.get("error")).toBe("invalid_target");
    }
  });

  test("a well-known host whose document Portico ships (trusted redirect URI) gets the error redirected at once", async () => {
    const claude = "https://claude.ai/oauth/mcp-oauth-client-metadata";
    const callback = "https://claude.ai/api/mcp/auth_callback";
    // A fresh cached copy, so no fetch leaves the test.
    t.deps.db.insert(oauthClients).values({ id: claude, registration: "cimd", name: "Claude", redirectUris: [callback], tokenEndpointAuthMethod: "none", grantTypes: ["authorization_code", "refresh_token"], metadata: {}, fetchedAt: Date.now(), freshUntil: Date.now() + 3600_000, createdAt: Date.now() }).run();
    const res = await req(t.app, authorizePath(authorizeParams(claude, challenge, w.url("shop"), { redirect_uri: callback, response_type: "token" })));
    expect(res.status).toBe(303);
    const url = new URL(res.headers.get("location")!);
    expect(url.origin + url.pathname).toBe(callback);
    expect(url.searchParams.get("error")).toBe("unsupported_response_type");
    expect(url.searchParams.get("iss")).toBe("http://localhost");
  });
});

describe("sign-in and refusals", () => {
  test("an anonymous visitor is sent to /login with a relative return_to that resumes the stored request", async () => {
    const res = await req(t.app, path());
    expect(res.status).toBe(303);
    const login = new URL(res.headers.get("location")!, "http://localhost");
    expect(login.pathname).toBe("/login");
    const returnTo = login.searchParams.get("return_to")!;
    expect(returnTo).toMatch(/^\/oauth\/authorize\?request_id=areq_[a-z0-9]+$/);
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    expect((await openConsent(t.app, returnTo, cookie)).requestId).toBe(new URLSearchParams(returnTo.split("?")[1]).get("request_id")!);
  });

  test("a client removed while the user was signing in gets a readable page on return, not OAuth JSON", async () => {
    const res = await req(t.app, path());
    const returnTo = new URL(res.headers.get("location")!, "http://localhost").searchParams.get("return_to")!;
    t.deps.db.delete(oauthClients).where(eq(oauthClients.id, clientId)).run();
    const page = await openConsent(t.app, returnTo, (await signIn(t.deps, w.users.viewer.email)).cookie);
    expectPage(page.res, 400);
    expect(page.html).toContain("Register the client again");
  });

  test("authorization requests are rate-limited per client IP with a readable 429 page", async () => {
    for (let i = 0; i < 120; i++) expect((await req(t.app, path())).status).toBe(303);
    const limited = await req(t.app, path());
    expectPage(limited, 429);
    expect(limited.headers.get("retry-after")).toBeString();
    expect(t.deps.db.select().from(authRequests).all()).toHaveLength(120);
  });

  test("a non-member gets a readable refusal page, not a consent page", async () => {
    const { cookie } = await signIn(t.deps, w.outsider.email);
    const page = await openConsent(t.app, path(), cookie);
    expectPage(page.res, 403);
    expect(page.html).toContain("not a member");
    // No consent: nothing to approve. The request id is there only for the ways out (issue 16 #8), and
    // approving with it is refused like any approval the role does not allow.
    expect(page.html).not.toContain('value="approve"');
    const approveAnyway = await postForm(t.app, "/oauth/authorize", { request_id: page.requestId!, csrf: page.csrf!, decision: "approve" }, cookie);
    expectPage(approveAnyway, 403);
  });

  test("a role too low for the draft channel gets a readable refusal page", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const page = await openConsent(t.app, path({}, w.url("shop", "draft")), cookie);
    expectPage(page.res, 403);
    expect(page.html).toContain("needs the developer role");
    // No consent: nothing to approve. The request id is there only for the ways out (issue 16 #8), and
    // approving with it is refused like any approval the role does not allow.
    expect(page.html).not.toContain('value="approve"');
    const approveAnyway = await postForm(t.app, "/oauth/authorize", { request_id: page.requestId!, csrf: page.csrf!, decision: "approve" }, cookie);
    expectPage(approveAnyway, 403);
  });

  test("a role lowered while the consent page was open is refused at approval", async () => {
    const { cookie } = await signIn(t.deps, w.users.developer.email);
    const page = await openConsent(t.app, path({}, w.url("shop", "draft")), cookie);
    await setRole(t.deps.db, w.org.id, w.users.developer.id, "viewer");
    const res = await postForm(t.app, "/oauth/authorize", { request_id: page.requestId!, csrf: page.csrf!, decision: "approve" }, cookie);
    expectPage(res, 403);
  });
});

describe("the consent page", () => {
  test("shows app (unverified), redirect host, project, draft channel, role and only the granted scopes in words", async () => {
    const { cookie } = await signIn(t.deps, w.users.developer.email);
    const page = await openConsent(t.app, path({ scope: "project:read tools:call draft publish" }, w.url("shop", "draft")), cookie);
    expect(page.res.status).toBe(200);
    expect(page.html).toContain("Test App");
    expect(page.html).toContain("unverified");
    expect(page.html).toContain("127.0.0.1:33418");
    expect(page.html).toContain("Shop");
    expect(page.html).toContain("draft");
    expect(page.html).toContain("<dd>developer</dd>");
    expect(page.html).toContain("Run the project&#39;s MCP tools");
    expect(page.html).toContain("Use the draft (unpublished) working copy");
    expect(page.html).not.toContain("Publish new versions"); // requested but not allowed for a developer
    expect(page.html).not.toContain("Read and modify project data"); // allowed but not requested
  });

  test("forbids framing by header and has no form-action directive", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const { res } = await openConsent(t.app, path(), cookie);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("form-action");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  test("the form carries only the request id, the CSRF token and the scope checkboxes", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const { html } = await openConsent(t.app, path(), cookie);
    const names = [...html.matchAll(/<input[^>]*name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(["request_id", "csrf", "scopes_shown", "scope:project:read", "scope:tools:call"]);
    expect(html).not.toContain(challenge);
  });

  test("a consent POST without the CSRF token is refused", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const page = await openConsent(t.app, path(), cookie);
    const res = await postForm(t.app, "/oauth/authorize", { request_id: page.requestId!, decision: "approve" }, cookie);
    expectPage(res, 403);
    const wrong = await postForm(t.app, "/oauth/authorize", { request_id: page.requestId!, csrf: "x".repeat(43), decision: "approve" }, cookie);
    expectPage(wrong, 403);
  });

  test("another signed-in user cannot approve a request shown to someone else", async () => {
    const viewer = await signIn(t.deps, w.users.viewer.email);
    const page = await openConsent(t.app, path(), viewer.cookie);
    const other = await signIn(t.deps, w.users.admin.email);
    const res = await postForm(t.app, "/oauth/authorize", { request_id: page.requestId!, csrf: other.session.csrfSecret, decision: "approve" }, other.cookie);
    expectPage(res, 400);
  });

  test("approval redirects with code, state and iss; the request cannot be approved twice", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const page = await openConsent(t.app, path(), cookie);
    const fields = { request_id: page.requestId!, csrf: page.csrf!, decision: "approve" };
    const res = await postForm(t.app, "/oauth/authorize", fields, cookie);
    const url = redirected(res);
    expect(url.searchParams.get("code")).toStartWith("pac_");
    expectPage(await postForm(t.app, "/oauth/authorize", fields, cookie), 400);
  });

  test("Deny redirects with access_denied", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const page = await openConsent(t.app, path(), cookie);
    const res = await postForm(t.app, "/oauth/authorize", { request_id: page.requestId!, csrf: page.csrf!, decision: "deny" }, cookie);
    expect(redirected(res).searchParams.get("error")).toBe("access_denied");
  });

  test("prompt=consent and an offline_access scope (as Claude sends) still work", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const url = await approve(t.app, path({ prompt: "consent", scope: "offline_access" }), cookie);
    expect(url.searchParams.get("code")).toBeString();
  });

  test("without resource the page asks which project and channel, listing only what the role reaches", async () => {
    const { cookie } = await signIn(t.deps, w.users.viewer.email);
    const page = await openConsent(t.app, path({}, null), cookie);
    expect(page.res.status).toBe(200);
    const choices = [...page.html.matchAll(/name="resource" value="([^"]+)"/g)].map((m) => m[1]);
    expect(choices.sort()).toEqual([w.url("crm"), w.url("shop")].sort());
    const url = await approve(t.app, path({}, null), cookie, { resource: w.url("crm") });
    expect(url.searchParams.get("code")).toBeString();
  });
});
