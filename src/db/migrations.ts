/**
 * Migrations embedded at build time. `readMigrationFiles` runs as a Bun macro, so the SQL and hashes are
 * inlined into the bundle (a compiled binary has no `db/` folder beside it — docs/architecture.md: Measured facts).
 */
import { readMigrationFiles } from "drizzle-orm/migrator" with { type: "macro" };

export const MIGRATIONS = readMigrationFiles({ migrationsFolder: "./db" });
