import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { safeFetch, type Resolved, type SafeFetchOptions } from "../../src/lib/safe-fetch";

// Issue 11 #16: the own-origin block was a string match on the origin, so a trailing dot, another name for
// the same host, or the host's IP reached Portico itself from a tool's fetch.
let portico: ReturnType<typeof Bun.serve>;
let hits = 0;
beforeAll(() => {
  portico = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (hits++, new Response("portico")) });
});
afterAll(() => portico.stop(true));

const dns = async (host: string): Promise<Resolved[]> =>
  ["portico.test", "portico.test.", "alias.test"].includes(host.toLowerCase()) ? [{ address: "127.0.0.1", family: 4 }] : [];

describe("Portico's own origin is refused by name and by address", () => {
  test("attack: a trailing dot, another name or the public IP of Portico's host does not reach Portico", async () => {
    const port = portico.port;
    const opts: SafeFetchOptions = { allowLoopback: true, allowHttp: true, timeoutMs: 2000, maxBytes: 1000, resolve: dns, blockedOrigins: [`http://portico.test:${port}`] };
    for (const target of [`http://Portico.Test.:${port}/x`, `http://alias.test:${port}/x`, `http://127.0.0.1:${port}/x`, `http://[::ffff:127.0.0.1]:${port}/x`]) {
      const outcome = await safeFetch(target, opts).then(
        () => "fetched",
        (err: Error) => err.message,
      );
      expect({ target, outcome }).toEqual({ target, outcome: expect.stringMatching(/Portico itself/) });
    }
    expect(hits).toBe(0);
  });
});
