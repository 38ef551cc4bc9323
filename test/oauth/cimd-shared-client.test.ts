/**
 * One Client ID Metadata Document `client_id` (e.g. https://claude.ai/oauth/mcp-oauth-client-metadata) is
 * shared by every user of a host, on every device. Each authorization must be its own grant: revoking one —
 * by the app (RFC 7009), by the user on the Authorized apps page, by an admin — or re-authorizing one device
 * leaves every other user's and device's access and refresh tokens working (docs/architecture.md: Grant).
 * Two users × two devices (each device its own browser session), all through the real endpoints.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { makeApp, postForm, req, type TestApp } from "../helpers";
import { createDraftTool } from "../../src/projects/draft";
import { publish } from "../../src/projects/publish";
import { ECHO_TOOL } from "../mcp/fixture";
import { cimdServerPerFile } from "./cimd-server";
import { approve, authorizeParams, authorizePath, pkce, seedWorld, signIn, tokenRequest, type World } from "./fixtures";

const CALLBACK = "http://127.0.0.1:9/shared-callback";
const file = cimdServerPerFile((server) => {
  server.behaviour = { doc: { client_name: "Shared Host", redirect_uris: [CALLBACK], token_endpoint_auth_method: "none" } };
});

interface Device {
  name: string;
  cookie: string;
  csrf: string;
  access: string;
  refresh: string;
  grantId: string;
}

let t: TestApp;
let w: World;
beforeEach(async () => {
  t = await makeApp({ allowLoopbackFetch: true });
  w = await seedWorld(t.deps);
  await createDraftTool(t.deps, w.shop.id, ECHO_TOOL);
  await publish(t.deps, w.shop.id, w.users.owner.id);
});
afterEach(() => t.close());

const gidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()).gid as string;

/** One authorization of the shared client_id from `session` (one device's browser); returns the device with its tokens. */
async function authorize(name: string, session: { cookie: string; csrf: string }): Promise<Device> {
  const { verifier, challenge } = pkce();
  const location = await approve(t.app, authorizePath({ ...authorizeParams(file.server.url(), challenge, w.url("shop")), redirect_uri: CALLBACK }), session.cookie);
  const res = await tokenRequest(t.app, {
    grant_type: "authorization_code",
    code: location.searchParams.get("code")!,
    redirect_uri: CALLBACK,
    code_verifier: verifier,
    client_id: file.server.url(),
    resource: w.url("shop"),
  });
  expect(res.status).toBe(200);
  const tokens = await res.json();
  return { name, cookie: session.cookie, csrf: session.csrf, access: tokens.access_token, refresh: tokens.refresh_token, grantId: gidOf(tokens.access_token) };
}

async function callStatus(d: Device): Promise<number> {
  const res = await req(t.app, "/acme/shop", {
    method: "POST",
    headers: { authorization: `Bearer ${d.access}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: d.name } } }),
  });
  return res.status;
}

/** Refreshes the device's pair (rotating it); the HTTP status. */
async function refresh(d: Device): Promise<number> {
  const res = await tokenRequest(t.app, { grant_type: "refresh_token", refresh_token: d.refresh, client_id: file.server.url() });
  if (res.status === 200) {
    const tokens = await res.json();
    d.access = tokens.access_token;
    d.refresh = tokens.refresh_token;
  }
  return res.status;
}

/** Every device's access token works, and so does its refresh token (rotated, then used again). */
async function expectWorking(devices: Device[]) {
  for (const d of devices) {
    expect([d.name, await callStatus(d)]).toEqual([d.name, 200]);
    expect([d.name, await refresh(d)]).toEqual([d.name, 200]);
    expect([d.name, await callStatus(d)]).toEqual([d.name, 200]);
  }
}

async function expectEnded(d: Device) {
  expect([d.name, await callStatus(d)]).toEqual([d.name, 401]);
  expect([d.name, await refresh(d)]).toEqual([d.name, 400]);
}

describe("one CIMD client_id, two users on two devices each", () => {
  test("four authorizations are four grants; revoking or re-authorizing one never touches the other three", async () => {
    const sessions = {
      viewerLaptop: await signIn(t.deps, w.users.viewer.email),
      viewerPhone: await signIn(t.deps, w.users.viewer.email),
      devLaptop: await signIn(t.deps, w.users.developer.email),
      devPhone: await signIn(t.deps, w.users.developer.email),
    };
    const devices: Record<keyof typeof sessions, Device> = {} as never;
    for (const [name, s] of Object.entries(sessions)) devices[name as keyof typeof sessions] = await authorize(name, s);
    const all = Object.values(devices);
    expect(new Set(all.map((d) => d.grantId)).size).toBe(4);
    await expectWorking(all);

    // Re-authorizing one device gives that device a new grant; the other three keep theirs.
    const { viewerLaptop, viewerPhone, devLaptop, devPhone } = devices;
    const renewed = await authorize("viewerLaptop (again)", sessions.viewerLaptop);
    expect(all.map((d) => d.grantId)).not.toContain(renewed.grantId);
    await expectWorking([renewed, viewerPhone, devLaptop, devPhone]);

    // The app revokes the viewer's phone (RFC 7009, with its refresh token): only that grant ends.
    const revoke = await req(t.app, "/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: viewerPhone.refresh, token_type_hint: "refresh_token", client_id: file.server.url() }).toString(),
    });
    expect(revoke.status).toBe(200);
    await expectEnded(viewerPhone);
    await expectWorking([renewed, viewerLaptop, devLaptop, devPhone]);

    // The developer disconnects their laptop on the Authorized apps page: only that grant ends.
    expect((await postForm(t.app, `/account/apps/${devLaptop.grantId}/revoke`, { csrf: devLaptop.csrf }, devLaptop.cookie)).status).toBe(303);
    await expectEnded(devLaptop);
    await expectWorking([renewed, viewerLaptop, devPhone]);

    // An admin ends the viewer's renewed laptop grant on the org's Authorized apps page: only that grant ends.
    const admin = await signIn(t.deps, w.users.admin.email);
    expect((await postForm(t.app, `/admin/acme/settings/apps/${renewed.grantId}/revoke`, { csrf: admin.csrf }, admin.cookie)).status).toBe(303);
    await expectEnded(renewed);
    await expectWorking([viewerLaptop, devPhone]);
  });
});
