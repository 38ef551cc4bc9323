/**
 * What a CLI command is and what it gets: parsed flags, the validated config, output streams, and a way to
 * open the data dir. Commands return `{ data, text }`; the runner prints `data` as JSON with `--json`,
 * else `text`. Progress goes to stderr so `--json` output on stdout stays parseable.
 */
import pino from "pino";
import type { Config } from "../config";
import type { Deps } from "../deps";
import { NotFoundError } from "../errors";
import { createLogger } from "../lib/log";
import { findUserByEmail } from "../auth/users";
import { getProject } from "../projects/projects";
import { projectAccess, type ProjectAccess } from "../services/access";
import type { RunningServer } from "../server";
import { UsageError, type CommandSpec, type ParsedArgs } from "./args";

/** Where a command writes: results to `out`, progress and errors to `err`. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** How `runCli` is embedded (tests pass their own io, env and server hook). */
export interface CliOptions {
  io?: Io;
  env?: Record<string, string | undefined>;
  /** Receives servers started by `serve` and `demo` (tests stop them). */
  onServer?: (server: RunningServer) => void;
  /** Install SIGTERM/SIGINT handlers for servers (default true; off in tests). */
  signals?: boolean;
}

/** What a command's `run` receives. */
export interface CommandContext {
  args: ParsedArgs;
  config: Config;
  io: Io;
  opts: CliOptions;
}

/** `data` for `--json`, `text` otherwise. */
export interface CommandResult {
  data: unknown;
  text: string;
  /** Non-zero when the command ran but found a failure to report (e.g. `audit verify` on a broken chain). */
  exitCode?: number;
}

/** One CLI command (one file in `commands/`). */
export interface Command {
  spec: CommandSpec;
  run(ctx: CommandContext): Promise<CommandResult | void>;
}

/** The value of a flag, or a UsageError naming it. */
export function flag(ctx: CommandContext, name: string): string {
  const v = ctx.args.flags[name];
  if (v === undefined || v === "") throw new UsageError(name, "is required");
  return v;
}

/** A positive integer flag, or undefined when absent. */
export function intFlag(ctx: CommandContext, name: string, max = 1_000_000): number | undefined {
  const v = ctx.args.flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(name, `must be a whole number from 1 to ${max}`);
  return n;
}

/** Logs of one-shot commands go to stderr, quieter than a server's. */
export function cliLogger(config: Config) {
  return createLogger(config.logLevel === "info" ? "warn" : config.logLevel, pino.destination({ dest: 2, sync: true }));
}

/** Opens the data dir (migrating it), runs `fn`, closes. Safe while a server runs on the same dir (WAL). */
export async function withDeps<T>(ctx: CommandContext, fn: (deps: Deps) => T | Promise<T>): Promise<T> {
  // Loaded on use: the tool runtime behind Deps (sandbox, MCP types) is the bulk of `--help`'s start-up.
  const { createDeps, shutdown } = await import("../deps");
  const deps = await createDeps(ctx.config, { log: cliLogger(ctx.config), telemetry: false });
  try {
    return await fn(deps);
  } finally {
    await shutdown(deps);
  }
}

/** The `--project ORG/PROJECT` flag that project commands share. */
export const PROJECT_FLAG = { description: "the project, ORG/PROJECT", value: "ORG/PROJECT", required: true } as const;

/** `org/project` from a flag → the project, with a UsageError for a malformed value. */
export async function projectFlag(ctx: CommandContext, deps: Deps, name = "project") {
  const value = flag(ctx, name);
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value);
  if (!m) throw new UsageError(name, `use ORG/PROJECT, e.g. acme/shop (got "${value}")`);
  return await getProject(deps.db, m[1]!, m[2]!);
}

/** The user with the email in a flag; NotFoundError naming the email otherwise. */
export async function userFlag(ctx: CommandContext, deps: Deps, name = "email") {
  const email = flag(ctx, name);
  const user = await findUserByEmail(deps.db, email);
  if (!user) throw new NotFoundError(`No user with the email ${email}. Create one with: portico user create --email ${email}`);
  return user;
}

/**
 * The service-layer access of the CLI acting as the user in `--as` on `--project` (docs/architecture.md:
 * Service layer): that user's current role; the operator reached the data dir, so no scopes to hold.
 */
export async function operatorAccess(ctx: CommandContext, deps: Deps): Promise<ProjectAccess> {
  const { org, project } = await projectFlag(ctx, deps);
  return projectAccess(deps, await userFlag(ctx, deps, "as"), { kind: "operator" }, org.slug, project.slug);
}

/** Lines → text block. */
export const lines = (...rows: Array<string | false | undefined>) => rows.filter((r): r is string => typeof r === "string").join("\n");
