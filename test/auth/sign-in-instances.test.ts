/**
 * Sign-in limits shared by instances (issue 15): two apps on one data dir stand for two `portico serve`
 * processes behind a load balancer — each has its own deps, connection and limiters, and they share only
 * the database, as processes do.
 */
import { afterEach, describe, expect, setDefaultTimeout, setSystemTime, test } from "bun:test";
import { SIGN_IN_LIMIT, SIGN_IN_WINDOW_MS } from "../../src/auth/sign-in";
import { makeApp, tempDir, type TestApp } from "../helpers";
import { Browser, PASSWORD, seedUser } from "./flow";
import { describePostgres } from "../fixtures/postgres";

// Real argon2 hashing on a loaded 2-core machine.
setDefaultTimeout(60_000);

let apps: TestApp[] = [];
afterEach(async () => {
  setSystemTime();
  for (const a of apps) await a.close();
  apps = [];
});

/** Freezes the clock just after a window starts, so a test's attempts cannot straddle two windows. */
function freezeAtWindowStart(): number {
  const now = Date.now();
  const start = now - (now % SIGN_IN_WINDOW_MS) + 1_000;
  setSystemTime(new Date(start));
  return start;
}

async function instances(n: number, dataDir = tempDir(), databaseUrl?: string): Promise<TestApp[]> {
  const made: TestApp[] = [];
  for (let i = 0; i < n; i++) made.push(await makeApp({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) }));
  apps.push(...made);
  return made;
}

describe("sign-in limits across instances", () => {
  test(`attack: a brute force spread over two instances meets one limit: ${SIGN_IN_LIMIT} attempts in all, then 429 on both`, async () => {
    freezeAtWindowStart();
    const [a, b] = await instances(2);
    await seedUser(a!);
    const browsers = [new Browser(a!), new Browser(b!)];
    for (let i = 0; i < SIGN_IN_LIMIT; i++) {
      expect((await browsers[i % 2]!.signIn("ada@example.com", `wrong-${i}-password`)).status).toBe(401);
    }
    for (const browser of browsers) {
      const res = await browser.signIn("ada@example.com");
      expect(res.status).toBe(429);
      expect(await res.text()).toContain("Too many sign-in attempts");
    }
  });

  test("a restart does not reset the window, and the window ends on time", async () => {
    const dataDir = tempDir();
    const start = freezeAtWindowStart();
    const [first] = await instances(1, dataDir);
    await seedUser(first!);
    for (let i = 0; i < SIGN_IN_LIMIT; i++) expect((await new Browser(first!).signIn("ada@example.com", `wrong-${i}-password`)).status).toBe(401);
    await first!.close();
    apps = apps.filter((x) => x !== first);

    const [restarted] = await instances(1, dataDir);
    expect((await new Browser(restarted!).signIn("ada@example.com")).status).toBe(429);
    setSystemTime(new Date(start + SIGN_IN_WINDOW_MS));
    expect((await new Browser(restarted!).signIn("ada@example.com", PASSWORD)).status).toBe(303);
  });
});

describePostgres("sign-in limits across instances on Postgres", (pg) => {
  test(`attack: a brute force spread over two instances on one Postgres database meets one limit: ${SIGN_IN_LIMIT} attempts in all, then 429 on both`, async () => {
    freezeAtWindowStart();
    const [a, b] = await instances(2, tempDir(), await pg.createDatabase());
    await seedUser(a!);
    const browsers = [new Browser(a!), new Browser(b!)];
    for (let i = 0; i < SIGN_IN_LIMIT; i++) {
      expect((await browsers[i % 2]!.signIn("ada@example.com", `wrong-${i}-password`)).status).toBe(401);
    }
    for (const browser of browsers) expect((await browser.signIn("ada@example.com")).status).toBe(429);
  });
});
