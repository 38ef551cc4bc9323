/**
 * `npm run test:postgres`: the test files listed in test/postgres-files.txt, with every app and server that
 * test/helpers.ts builds on a fresh Postgres database (issue 15: "the test suite runs on both backends").
 * Postgres comes from PORTICO_TEST_DATABASE_URL (`.ci/run` sets it) or a throwaway local cluster
 * (test/fixtures/postgres.ts). Extra arguments go to `bun test`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const files = readFileSync(join(import.meta.dir, "postgres-files.txt"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));
const proc = Bun.spawn([process.execPath, "test", "--timeout", "30000", ...files, ...process.argv.slice(2)], {
  cwd: join(import.meta.dir, ".."),
  env: { ...process.env, PORTICO_TEST_BACKEND: "postgres" },
  stdout: "inherit",
  stderr: "inherit",
});
process.exit(await proc.exited);
