/**
 * Writes through the Postgres handle are announced on the change feed once committed (src/db/pg/write-announcer.ts):
 * a security write resolves only after every live instance applied it; bookkeeping stamps do not wait.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { openStorage, type Storage } from "../../src/db/storage";
import { transaction } from "../../src/db/query";
import { writeKind } from "../../src/db/pg/write-announcer";
import { createLogger } from "../../src/lib/log";
import { describePostgres } from "../fixtures/postgres";

test("which statements wait for the other instances, which are announced only, which are not announced", () => {
  expect(writeKind(`select "id" from "grants" where "id" = $1`)).toBeNull();
  expect(writeKind(`update "grants" set "revoked_at" = $1, "revoked_reason" = $2 where "grants"."id" = $3`)).toEqual({ topics: ["grants"], wait: true });
  expect(writeKind(`update "grants" set "last_used_at" = $1, "protocol_version" = $2 where "grants"."id" = $3`)).toEqual({ topics: ["grants"], wait: false });
  expect(writeKind(`update "sessions" set "last_seen_at" = $1 where "sessions"."id" = $2`)).toEqual({ topics: ["sessions"], wait: false });
  expect(writeKind(`update "sessions" set "ended_at" = $1 where "sessions"."user_id" = $2`)).toEqual({ topics: ["sessions"], wait: true });
  expect(writeKind(`delete from "memberships" where "memberships"."org_id" = $1`)).toEqual({ topics: ["members"], wait: true });
  expect(writeKind(`insert into "handshake_events" ("project_id") values ($1)`)).toBeNull();
  expect(writeKind(`insert into "org_audit_events" ("org_id") values ($1)`)?.wait).toBe(true);
});

describePostgres("writes through the Postgres handle reach every instance before they return", (pg) => {
  const log = createLogger("silent");
  let a: Storage;
  let b: Storage;
  beforeAll(async () => {
    a = await openStorage({ dataDir: "unused", databaseUrl: pg.url }, { now: Date.now(), log });
    b = await openStorage({ dataDir: "unused", databaseUrl: pg.url }, { now: Date.now(), log });
    // Both must be live (a heartbeat stamped) before A's writes have anyone to wait for.
    for (let i = 0; i < 100 && !(a.changes.healthy() && b.changes.healthy()); i++) await Bun.sleep(50);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  test("a write on A returns only after B's version moved; so does a transaction; a last-use stamp does not wait", async () => {
    const { orgs, sessions } = a.db.t;
    const seen = () => b.changes.version();
    let before = seen();
    await a.db.insert(orgs).values({ id: "org_1", slug: "acme", name: "Acme", createdAt: 1 });
    expect(seen()).toBeGreaterThan(before);

    before = seen();
    await transaction(a.db, async (tx) => {
      await tx.update(tx.t.orgs).set({ name: "Acme Inc" }).where(eq(tx.t.orgs.id, "org_1"));
      await tx.insert(tx.t.users).values({ id: "usr_1", email: "a@x.example", name: "A", passwordHash: "x", createdAt: 1, passwordChangedAt: 1 });
    });
    expect(seen()).toBeGreaterThan(before);
    expect((await b.db.select().from(b.db.t.orgs))[0]!.name).toBe("Acme Inc");

    await a.db.insert(sessions).values({ id: "ses_1", userId: "usr_1", tokenHash: "h", csrfSecret: "c", createdAt: 1, lastSeenAt: 1, ip: null, userAgent: null });
    before = seen();
    await a.db.update(sessions).set({ lastSeenAt: 2 }).where(eq(sessions.id, "ses_1"));
    // Announced, not awaited: B hears of it shortly after.
    for (let i = 0; i < 100 && seen() === before; i++) await Bun.sleep(10);
    expect(seen()).toBeGreaterThan(before);
  });
});
