/**
 * Issue 17, the self-check behind a real TLS reverse proxy: Debian's `caddy` with the README's recipe
 * terminates https (its local CA) in front of `portico serve --public-url https://localhost:PORT`, and
 * `portico doctor` — another process on the same data dir, trusting Caddy's CA through NODE_EXTRA_CA_CERTS as
 * an operator's machine trusts its proxy's certificate — walks the public URL through the proxy.
 * Fails (never skips) when caddy is missing: "caddy not installed: apt-get install caddy".
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { porticoBehindCaddy, requireCaddy, type CaddyChild } from "./support/caddy";
import { MAIN, provision, ROOT, type Project, type ServeChild } from "./support/portico";

let project: Project;
let server: ServeChild | undefined;
let caddy: CaddyChild | undefined;
let origin: string;

beforeAll(async () => {
  requireCaddy();
  project = await provision({ manifestFile: join(import.meta.dir, "fixtures/shop-manifest.json"), name: "Shop" });
  ({ server, caddy, origin } = await porticoBehindCaddy(project.dataDir));
}, 60_000);

afterAll(async () => {
  await caddy?.stop();
  await server?.stop();
}, 30_000);

async function doctor(publicUrl: string) {
  const proc = Bun.spawn([process.execPath, MAIN, "doctor", "--project", `${project.org}/${project.slug}`, "--data-dir", project.dataDir, "--public-url", publicUrl, "--json"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: project.dataDir, NODE_EXTRA_CA_CERTS: caddy!.caFile },
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ code, err }).toEqual({ code: 0, err: "" });
  return JSON.parse(out) as { selfCheck: Array<{ id: string; ok: boolean; detail: string }> };
}

test("through the https proxy every item passes: https in front, metadata and issuer on the proxy's origin", async () => {
  const { selfCheck } = await doctor(origin);
  expect(selfCheck.filter((i) => !i.ok)).toEqual([]);
  expect(selfCheck.map((i) => i.id)).toEqual([
    "https", "port-443", "mcp-challenge", "resource-metadata", "resource", "authorization-server", "as-metadata", "issuer", "endpoints-origin", "iss-parameter", "draft-url",
  ]);
  expect(selfCheck[0]!.detail).toBe(`The public URL ${origin} uses https.`);
  expect(selfCheck.find((i) => i.id === "issuer")!.detail).toBe(`issuer is ${origin}.`);
}, 30_000);

test("run with the upstream address as its public URL, the check finds a server that believes it lives elsewhere", async () => {
  // `portico doctor` without the server's --public-url (or with the upstream pasted by mistake): every URL it is shown is the proxy's.
  const { selfCheck } = await doctor(`http://127.0.0.1:${server!.port}`);
  expect(selfCheck.filter((i) => !i.ok).map((i) => i.id)).toEqual(["resource-metadata", "resource", "authorization-server", "issuer", "draft-url"]);
  expect(selfCheck.find((i) => i.id === "resource")!.detail).toContain(`resource is ${origin}/${project.org}/${project.slug}`);
}, 30_000);
