/**
 * First-run setup link (docs/architecture.md: URLs — "/setup, one-time link printed at start"). While there is no user,
 * each start mints a fresh random token; only its SHA-256 is kept in `settings`, so the link is one-time
 * and dies as soon as the first user exists (setup consumes it; a user made by the CLI makes it moot).
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { settings } from "../db/schema";
import { safeEqual, sha256 } from "../lib/crypto";
import { rowsChanged } from "./changes";
import { newToken } from "../lib/ids";
import { countUsers } from "./users";

const SETUP_KEY = "setup_token_hash";

/** Mints a setup token when there is no user yet and returns the link; null once a user exists. */
export function issueSetupLink(db: Db, publicUrl: string): string | null {
  if (countUsers(db) > 0) return null;
  const token = newToken();
  db.insert(settings)
    .values({ key: SETUP_KEY, value: sha256(token) })
    .onConflictDoUpdate({ target: settings.key, set: { value: sha256(token) } })
    .run();
  return `${publicUrl}/setup?token=${token}`;
}

/** True while `token` is the current setup token and no user exists. */
export function isSetupTokenValid(db: Db, token: unknown): boolean {
  if (typeof token !== "string" || token.length < 20 || token.length > 100 || countUsers(db) > 0) return false;
  const row = db.select().from(settings).where(eq(settings.key, SETUP_KEY)).get();
  return Boolean(row && safeEqual(row.value, sha256(token)));
}

/** Deletes the token if it matches; true for exactly one caller, so two racing submits cannot both set up. */
export function consumeSetupToken(db: Db, token: string): boolean {
  const res = db.delete(settings).where(and(eq(settings.key, SETUP_KEY), eq(settings.value, sha256(token)))).run();
  return rowsChanged(res) === 1;
}
