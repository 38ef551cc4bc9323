import { expect, test } from "bun:test";
import { join } from "node:path";

test("serve answers /healthz without loading prom-client, ext-apps or the OpenTelemetry SDK (no OTLP endpoint); prom-client loads on the first scrape", () => {
  const probe = Bun.spawnSync([process.execPath, join(import.meta.dir, "fixtures/startup-probe.ts")], { stdout: "pipe", stderr: "pipe" });
  expect(probe.exitCode, probe.stderr.toString()).toBe(0);
  const report = JSON.parse(probe.stdout.toString().trim().split("\n").at(-1)!);
  expect(report.health).toBe(200);
  expect(report.atStart).toEqual([]);
  expect(report.metrics).toBe(200);
  expect(report.afterScrape).toEqual(["prom-client"]);
}, 30_000);

test("serve on a data dir (SQLite) answers /healthz without loading the Postgres engine: Bun's SQL client, the Postgres schema, migrations or change feed", () => {
  const probe = Bun.spawnSync([process.execPath, join(import.meta.dir, "fixtures/startup-probe.ts")], { stdout: "pipe", stderr: "pipe" });
  expect(probe.exitCode, probe.stderr.toString()).toBe(0);
  const report = JSON.parse(probe.stdout.toString().trim().split("\n").at(-1)!);
  expect(report.health).toBe(200);
  // What is left: two driver-free classes the SQLite path names.
  expect(report.postgresAtStart).toEqual(["db/pg/rate-limit-store.ts", "db/pg/write-announcer.ts"]);
}, 30_000);
