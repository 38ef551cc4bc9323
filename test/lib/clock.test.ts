/**
 * Wall-clock time has one source, `deps.clock` (src/lib/clock.ts): the source scan keeps it that way, and the
 * fake-clock tests show time moving for the app without a sleep or `setSystemTime`.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createApp } from "../../src/app";
import { SESSION_COOKIE } from "../../src/auth/cookies";
import { createSession } from "../../src/auth/sessions";
import { createUser } from "../../src/auth/users";
import { createDeps, shutdown, type Deps } from "../../src/deps";
import type { Clock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";
import { createOrg } from "../../src/projects/orgs";
import { orgAccess } from "../../src/services/access";
import { inviteMember } from "../../src/services/members";
import { invoke } from "../../src/services/operation";
import { DEFAULT_INVITE_TTL_HOURS, listInvites } from "../../src/auth/invites";
import { req, testConfig } from "../helpers";

const SRC = join(import.meta.dir, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(e.name) ? [path] : [];
  });
}

/** `file:line` of every line in src/ matching `pattern`, outside the files allowed to. */
function offenders(pattern: RegExp, allowed: readonly string[]): string[] {
  const hits: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const name = relative(SRC, file);
    if (allowed.includes(name)) continue;
    readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      if (pattern.test(line)) hits.push(`src/${name}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

/**
 * Where `performance.now()` may measure a DURATION (never a timestamp that is stored or shown): a new use
 * must be added here on purpose.
 */
const DURATIONS = [
  "lib/clock.ts", // its comment names the rule
  "mcp/run-request.ts", // the audit row's durationMs
  "services/tool-test-run.ts", // a test run's durationMs in its audit row, as mcp/run-request.ts
  "http/readiness.ts", // how long each /readyz check took
  "db/pg/change-feed.ts", // how long ago its own heartbeat and listener echo were (healthy()); liveness across instances uses the database's clock
  "tools/sandbox/engine.ts", // a call's time-limit deadline, inside the sandbox worker (no deps there)
  "tools/sandbox/pool.ts", // how long a sandbox worker has been idle
  "oauth/cimd.ts", // how long a client metadata document fetch took (the connection doctor's `ms`)
  // OpenTelemetry spans (issue 18) are timed the SDK's way, on the monotonic clock; only when export is on.
  "lib/telemetry.ts",
  "mcp/guard.ts", // the credential check's span: its start and end
  "tools/types.ts", // the span hook's `startedAt` (a comment)
  "tools/sandbox/fetch-bridge.ts", // an outbound fetch's span duration, inside the sandbox worker
];

/**
 * Where the system clock is chosen rather than received: the default of `createDeps`, the CLI commands that run
 * without deps, and the trailing `now` of storage functions that seeders and tests call with only a database
 * or on their own (every caller in src/ that has deps passes `deps.clock`).
 */
const SYSTEM_CLOCK = [
  "lib/clock.ts",
  "deps.ts",
  "cli/commands/backup.ts",
  "cli/commands/migrate.ts",
  "apikeys/keys.ts", // authenticateApiKey(db-only deps, …, now)
  "auth/invites.ts", // findInvite, acceptInvite
  "auth/password-resets.ts", // findResetUser
  "auth/users.ts", // createUser
  "db/client.ts", // migrate({ now }): names the pre-migration backup
  "doctor/handshake.ts", // recordHandshake
  "mcp/sessions.ts", // SessionStore built on its own
  "oauth/grant-check.ts", // grantProblem
  "oauth/grants.ts", // createGrant
  "oauth/maintenance.ts", // pruneExpiredOAuthRows
  "projects/orgs.ts", // createOrg, addMember
  "projects/projects.ts", // createProject, updateProject
  "tools/secrets.ts", // SecretStore built on its own
];

describe("one clock", () => {
  test("Date.now() and new Date() appear in src/ only inside src/lib/clock.ts", () => {
    expect(offenders(/\bDate\.now\b|new Date\(\s*\)/, ["lib/clock.ts"])).toEqual([]);
  });

  test("performance.now() measures durations only where listed", () => {
    expect(offenders(/\bperformance\.now\b/, DURATIONS)).toEqual([]);
  });

  test("the system clock is picked only where listed; everything else receives deps.clock", () => {
    expect(offenders(/\bsystemClock\b/, SYSTEM_CLOCK)).toEqual([]);
  });
});

/** A clock that moves only when told to. */
function fakeClock(start = Date.UTC(2026, 0, 15, 9, 0, 0)): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

describe("the app follows the injected clock", () => {
  let deps: Deps | undefined;
  afterEach(async () => {
    if (deps) await shutdown(deps);
    deps = undefined;
  });

  async function appAt(clock: Clock) {
    deps = await createDeps(testConfig(), { clock, log: createLogger("silent") });
    return { deps, app: await createApp(deps) };
  }

  test("a sign-in session idle-expires when the clock passes the idle window, without sleeping", async () => {
    const clock = fakeClock();
    const { deps, app } = await appAt(clock);
    const user = await createUser(deps.db, { email: "ada@example.com", password: "correct horse battery" }, clock.now());
    const { token, session } = await createSession(deps, user.id);
    expect(session.createdAt).toBe(clock.now());
    const account = () => req(app, "/account", { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect((await account()).status).toBe(200);
    clock.advance(deps.config.sessionIdleTtl * 1000 - 1000);
    expect((await account()).status).toBe(200);
    // Unused from here on: the window counts from the last use above.
    clock.advance(deps.config.sessionIdleTtl * 1000 + 1000);
    const res = await account();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toStartWith("/login");
  });

  test("an invite link expires when the clock passes its lifetime, without sleeping", async () => {
    const clock = fakeClock();
    const { deps, app } = await appAt(clock);
    const admin = await createUser(deps.db, { email: "admin@example.com", password: "correct horse battery" }, clock.now());
    const org = await createOrg(deps.db, { slug: "acme" }, admin.id, clock.now());
    const invite = await invoke(inviteMember, deps, await orgAccess(deps, admin, { kind: "operator" }, "acme"), { role: "developer" });
    const path = new URL(invite.url).pathname;
    expect((await req(app, path)).status).toBe(200);
    clock.advance(DEFAULT_INVITE_TTL_HOURS * 3600_000 + 1000);
    expect((await req(app, path)).status).toBe(410);
    expect((await listInvites(deps, org.id, { all: true })).map((i) => i.status)).toEqual(["expired"]);
  });
});
