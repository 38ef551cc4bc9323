/**
 * Fixtures for settings-page and API tests: the seeded world (test/fixtures/world.ts) with every member
 * signed in — a real session cookie and its CSRF secret each — for a whole test file.
 */
import { afterAll, beforeAll } from "bun:test";
import { makeApp, type TestApp } from "../helpers";
import { seedWorld, type SignedIn, type SignedInWorld } from "../fixtures/world";

export { signIn } from "../fixtures/world";
export type Member = SignedIn;

export type SeededApp = TestApp & SignedInWorld;

/**
 * A fresh app on a fresh database, seeded by `seedWorld`, for the whole file: registers beforeAll/afterAll
 * and returns an object whose fields are filled in before the first test runs.
 */
export function seededApp(): SeededApp {
  const world = {} as SeededApp;
  beforeAll(async () => {
    const t = await makeApp();
    Object.assign(world, t, await seedWorld(t.deps));
  }, 30_000);
  afterAll(() => world.close());
  return world;
}
