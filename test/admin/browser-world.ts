/**
 * What a browser test of the pages needs: a real listener with the seeded world (members signed in), a
 * local callback server standing in for a host's redirect URI, and Debian's Chromium (TESTING: playwright-core
 * with /usr/bin/chromium). Started in a file's beforeAll, stopped in its afterAll.
 */
import { chromium, type Browser } from "playwright-core";
import { seedWorld, type SignedInWorld } from "../fixtures/world";
import { startTestServer } from "../helpers";

export interface BrowserWorld {
  server: Awaited<ReturnType<typeof startTestServer>>;
  w: SignedInWorld;
  callbackServer: ReturnType<typeof Bun.serve>;
  /** The callback server's redirect URI. */
  callback: string;
  browser: Browser;
}

export async function startBrowserWorld(): Promise<BrowserWorld> {
  const server = await startTestServer();
  const w = await seedWorld(server.deps);
  const callbackServer = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("You can close this window.") });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return { server, w, callbackServer, callback: `http://127.0.0.1:${callbackServer.port}/callback`, browser };
}

export async function stopBrowserWorld(world: Partial<BrowserWorld>): Promise<void> {
  await world.browser?.close();
  world.callbackServer?.stop(true);
  await world.server?.stop();
}
