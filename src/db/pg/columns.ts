/**
 * Postgres column types that keep the values — and the TypeScript types — of the SQLite schema
 * (`src/db/schema.ts`), so a service reads the same row from either engine (docs/architecture.md: Storage,
 * "Postgres (in progress)"):
 * - `epochMs`: epoch milliseconds. SQLite's INTEGER is 64-bit, Postgres `integer` is 32-bit (ms since 1970
 *   overflow it in 25 days), so `bigint`; `mode: "number"` turns the driver's int8 string back into a number
 *   (epoch ms stay below 2^53 for 285,000 years).
 * - `json`: text holding JSON, parsed and serialized like drizzle's SQLite `mode: "json"`. Not `jsonb`:
 *   jsonb reorders object keys and drops duplicate ones, and a tool's `inputSchema` key order is the form
 *   order a host shows; text keeps the stored bytes identical to SQLite's, so `portico db copy` is exact.
 * - `bytea`: drizzle 0.45 has no bytea builder; Bun's SQL client reads and writes it as a Buffer, which is
 *   what SQLite's `blob({ mode: "buffer" })` gives.
 * Booleans use Postgres `boolean`: SQLite stores them as INTEGER 0/1 behind drizzle's `mode: "boolean"`, and
 * both read as a TypeScript boolean, so the app cannot tell; a native boolean is what a person querying
 * Postgres expects.
 */
import { bigint, customType } from "drizzle-orm/pg-core";

export const epochMs = (name: string) => bigint(name, { mode: "number" });

export const json = customType<{ data: unknown; driverData: string }>({
  dataType: () => "text",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => JSON.parse(value),
});

export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => "bytea",
});
