import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { migrate, openDb } from "../../src/db/client";
import { first, transaction } from "../../src/db/query";
import { orgs } from "../../src/db/schema";

const fresh = () => {
  const db = openDb(":memory:");
  migrate(db);
  return db;
};
const org = (slug: string) => ({ id: `org_${slug}`, slug, name: slug, createdAt: 1 });

describe("storage transactions (src/db/query.ts)", () => {
  test("a throw rolls back every write of the body", async () => {
    const db = fresh();
    await expect(
      transaction(db, async (tx) => {
        await tx.insert(orgs).values(org("a"));
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await db.select().from(orgs)).toEqual([]);
  });

  test("transactions of concurrent callers take turns instead of nesting into each other", async () => {
    const db = fresh();
    const order: string[] = [];
    const body = (slug: string, fail: boolean) =>
      transaction(db, async (tx) => {
        order.push(`${slug} begins`);
        await tx.insert(orgs).values(org(slug));
        await first(tx.select().from(orgs).where(eq(orgs.slug, slug)));
        order.push(`${slug} ends`);
        if (fail) throw new Error(`${slug} fails`);
      });
    // Both start in the same turn of the event loop, so their awaits would interleave without the queue:
    // b's rollback would then take a's insert with it.
    const results = await Promise.allSettled([body("a", false), body("b", true)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
    expect(order).toEqual(["a begins", "a ends", "b begins", "b ends"]);
    expect((await db.select().from(orgs)).map((o) => o.slug)).toEqual(["a"]);
  });

  test("a transaction inside a transaction is a savepoint: its rollback keeps the outer writes", async () => {
    const db = fresh();
    await transaction(db, async (tx) => {
      await tx.insert(orgs).values(org("outer"));
      await transaction(tx, async (inner) => {
        await inner.insert(orgs).values(org("inner"));
        throw new Error("inner fails");
      }).catch(() => {});
    });
    expect((await db.select().from(orgs)).map((o) => o.slug)).toEqual(["outer"]);
  });

  test("a body that awaits I/O (not storage) is rolled back with a clear error", async () => {
    const db = fresh();
    await expect(
      transaction(db, async (tx) => {
        await tx.insert(orgs).values(org("slow"));
        await Bun.sleep(5);
      }),
    ).rejects.toThrow(/awaited something other than storage/);
    expect(await db.select().from(orgs)).toEqual([]);
  });
});
