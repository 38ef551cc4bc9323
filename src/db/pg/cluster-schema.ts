/**
 * Tables only the Postgres dialect has (db/SCHEMA.md: "Two dialects" — the parity test allows exactly
 * these): how instances sharing one database keep their caches exact (docs/architecture.md: Storage,
 * "Postgres change feed"). SQLite needs neither: every process on a data dir reads the same `-shm` file.
 * Written by src/db/pg/change-feed.ts with raw SQL; defined here so drizzle-kit writes their migration.
 * Times come from the database's clock (`clock_timestamp()`), never an instance's: instances compare each
 * other's heartbeats, and their own clocks may disagree.
 */
import { sql } from "drizzle-orm";
import { bigint, pgTable, text } from "drizzle-orm/pg-core";
import { epochMs } from "./columns";

/** Epoch milliseconds of the database's clock, as SQL. */
export const DB_NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/**
 * One row per announced change. `seq` orders changes across instances (announcements take a lock, so seq
 * order is commit order); `topics` is the comma-separated list the announcer named.
 */
export const porticoChanges = pgTable("portico_changes", {
  seq: bigint("seq", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  topics: text("topics").notNull(),
  origin: text("origin").notNull(),
  createdAt: epochMs("created_at").notNull().default(sql.raw(DB_NOW_MS)),
});

/** Every running instance: alive while `heartbeat_at` is recent; `acked_seq` = the last change it has applied. */
export const porticoInstances = pgTable("portico_instances", {
  id: text("id").primaryKey(),
  startedAt: epochMs("started_at").notNull().default(sql.raw(DB_NOW_MS)),
  heartbeatAt: epochMs("heartbeat_at").notNull(),
  ackedSeq: bigint("acked_seq", { mode: "number" }).notNull().default(0),
});

/** The Postgres-only tables, by name (the parity test and `db copy` know them). */
export const PG_ONLY_TABLES = ["portico_changes", "portico_instances"] as const;
