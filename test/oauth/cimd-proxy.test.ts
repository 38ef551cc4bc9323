/**
 * Client ID Metadata Documents are fetched through the outbound proxy (issue 12): the proxy is asked to
 * CONNECT to the checked address of the client_id's host, with the proxy's credentials; a failure through
 * the proxy is shown without them. The CIMD server's certificate is self-signed, so verification is off for
 * this file only, as in cimd.test.ts (verification through the tunnel is proven in test/lib/safe-fetch-proxy.test.ts).
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { makeApp, type TestApp } from "../helpers";
import { resolveCimdClient } from "../../src/oauth/cimd";
import { handshakeEvents } from "../../src/db/schema";
import { startForwardProxy, type ForwardProxy } from "../lib/forward-proxy";
import { CimdServer } from "./cimd-server";

const PASSWORD = "cimd-proxy-pa55";
let cimd: CimdServer;
let previousTls: string | undefined;
let proxy: ForwardProxy | undefined;
let t: TestApp | undefined;

beforeAll(() => {
  previousTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  cimd = new CimdServer();
  cimd.behaviour = { doc: { client_name: "Proxied App", redirect_uris: ["http://127.0.0.1:9/cb"], token_endpoint_auth_method: "none" } };
});
afterAll(() => {
  if (previousTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTls;
  cimd.stop();
});
afterEach(async () => {
  await t?.close();
  await proxy?.close();
});

const withCreds = (url: string) => url.replace("//", `//ops:${PASSWORD}@`);

test("the metadata document is fetched through the proxy, CONNECT naming the checked address", async () => {
  proxy = await startForwardProxy();
  t = await makeApp({ allowLoopbackFetch: true, httpsProxy: withCreds(proxy.url), logLevel: "trace" });
  const client = await resolveCimdClient(t.deps, cimd.url());
  expect(client.name).toBe("Proxied App");
  const port = new URL(cimd.url()).port;
  expect(proxy.requests.map((r) => `${r.method} ${r.target}`)).toEqual([`CONNECT 127.0.0.1:${port}`]);
  expect(proxy.requests[0]!.headers["proxy-authorization"]).toBe(`Basic ${Buffer.from(`ops:${PASSWORD}`).toString("base64")}`);
});

test("a proxy refusing the tunnel: invalid_client says so, and the password is in no log line or handshake row", async () => {
  proxy = await startForwardProxy({ refuse: 403 });
  t = await makeApp({ allowLoopbackFetch: true, httpsProxy: withCreds(proxy.url), logLevel: "trace" });
  const err = await resolveCimdClient(t.deps, cimd.url("/other.json")).catch((e) => e);
  expect(String(err.message ?? err)).toContain("the outbound proxy refused the connection (HTTP 403)");
  expect(proxy.requests.length).toBe(1);
  const rows = JSON.stringify(t.deps.db.select().from(handshakeEvents).all());
  expect(rows).toContain("outbound proxy refused");
  for (const place of [t.logs.text, rows, String(err.message)]) expect(place).not.toContain(PASSWORD);
  expect(t.logs.text).toContain("client metadata document fetch failed");
});
