/** Instance-wide key/value settings (the `settings` table): markers such as the demo org's id. */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { first } from "../db/query";

export async function getSetting(db: Db, key: string): Promise<string | null> {
  const { settings } = db.t;
  return (await first(db.select().from(settings).where(eq(settings.key, key))))?.value ?? null;
}

export async function putSetting(db: Db, key: string, value: string): Promise<void> {
  const { settings } = db.t;
  await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
}
