/**
 * First-run setup link (docs/architecture.md: URLs — "/setup, one-time link printed at start"). While there is no user,
 * each start mints a fresh random token; only its SHA-256 is kept in `settings`, so the link is one-time
 * and dies as soon as the first user exists (setup consumes it; a user made by the CLI makes it moot).
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { safeEqual, sha256 } from "../lib/crypto";
import { newToken } from "../lib/ids";
import { countUsers } from "./users";
import { first } from "../db/query";

const SETUP_KEY = "setup_token_hash";

/** Mints a setup token when there is no user yet and returns the link; null once a user exists. */
export async function issueSetupLink(db: Db, publicUrl: string): Promise<string | null> {
  const { settings } = db.t;
  if ((await countUsers(db)) > 0) return null;
  const token = newToken();
  await db.insert(settings)
        .values({ key: SETUP_KEY, value: sha256(token) })
        .onConflictDoUpdate({ target: settings.key, set: { value: sha256(token) } });
  return `${publicUrl}/setup?token=${token}`;
}

/** True while `token` is the current setup token and no user exists. */
export async function isSetupTokenValid(db: Db, token: unknown): Promise<boolean> {
  const { settings } = db.t;
  if (typeof token !== "string" || token.length < 20 || token.length > 100 || (await countUsers(db)) > 0) return false;
  const row = await first(db.select().from(settings).where(eq(settings.key, SETUP_KEY)));
  return Boolean(row && safeEqual(row.value, sha256(token)));
}

/** Deletes the token if it matches; true for exactly one caller, so two racing submits cannot both set up. */
export async function consumeSetupToken(db: Db, token: string): Promise<boolean> {
  const { settings } = db.t;
  const gone = await db.delete(settings).where(and(eq(settings.key, SETUP_KEY), eq(settings.value, sha256(token)))).returning({ key: settings.key });
  return gone.length === 1;
}
