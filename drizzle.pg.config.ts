import { defineConfig } from "drizzle-kit";

/** The Postgres dialect (src/db/pg/schema.ts); the SQLite one is drizzle.config.ts. db/SCHEMA.md: "Two dialects". */
export default defineConfig({
  dialect: "postgresql",
  // The shared schema and the tables only Postgres has (db/SCHEMA.md: "Two dialects").
  schema: ["./src/db/pg/schema.ts", "./src/db/pg/cluster-schema.ts"],
  out: "./db/pg",
});
