/**
 * The Postgres migrations (`db/pg/`), embedded at build time like the SQLite ones (`src/db/migrations.ts`):
 * `readMigrationFiles` runs as a Bun macro, so a compiled binary carries the SQL and hashes
 * (docs/architecture.md: Measured facts, "Embedding").
 */
import { readMigrationFiles } from "drizzle-orm/migrator" with { type: "macro" };

export const PG_MIGRATIONS = readMigrationFiles({ migrationsFolder: "./db/pg" });
