import { defineConfig } from "drizzle-kit";

/** The Postgres dialect (src/db/pg/schema.ts); the SQLite one is drizzle.config.ts. db/SCHEMA.md: "Two dialects". */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/pg/schema.ts",
  out: "./db/pg",
});
