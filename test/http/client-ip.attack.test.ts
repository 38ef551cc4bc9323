import { afterEach, describe, expect, test } from "bun:test";
import { createUser } from "../../src/auth/users";
import { startTestServer } from "../helpers";

let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(() => server?.stop());

/** One sign-in attempt through a proxy that appends the real client (198.51.100.7) to what the client sent. */
async function attempt(url: string, spoofed: string): Promise<number> {
  const csrf = "c".repeat(43);
  const res = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: `portico_csrf=${csrf}`,
      // nginx's default ($proxy_add_x_forwarded_for): the client's own header, then the address the proxy saw.
      "x-forwarded-for": `${spoofed}, 198.51.100.7`,
    },
    body: new URLSearchParams({ csrf, email: "ada@example.com", password: "wrong password here" }).toString(),
  });
  await res.text();
  return res.status;
}

// Issue 11 #5: the left-most X-Forwarded-For hop was trusted, so behind an appending proxy a client picked
// its own IP for every request and was never rate limited.
describe("X-Forwarded-For behind an appending proxy", () => {
  test("attack: rotating a spoofed left-most X-Forwarded-For address does not escape the sign-in limit", async () => {
    server = await startTestServer({ trustedProxy: true });
    await createUser(server.deps.db, { email: "ada@example.com", password: "correct horse battery", name: "Ada" });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await attempt(server.url, `203.0.113.${i + 1}`));
    // 10 attempts per IP and email (SIGN_IN_LIMIT), then refused: the spoofed hops are all one client.
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});
