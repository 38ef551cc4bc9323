/**
 * Command dispatch. Each command lives in its own file under `commands/`; `serve` is the default.
 * Exit codes: 0 done, 1 the operation failed (e.g. no such org), 2 bad input (the message names the flag).
 */
import { ConfigError, loadConfig } from "../config";
import { AppError, ValidationError } from "../errors";
import { SchemaTooNewError } from "../services/data-dir";
import { UsageError, commandHelp, parseArgs } from "./args";
import type { CliOptions, Command, Io } from "./command";
import { COMMANDS } from "./commands";
import { BUILD, VERSION_LINE } from "../build-info";

const STDIO: Io = { out: (t) => process.stdout.write(t + "\n"), err: (t) => process.stderr.write(t + "\n") };

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    "portico — MCP tools per project, connected to AI hosts by pasting a URL",
    "",
    "Usage: portico [command] [flags]      (no command = serve)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    "",
    "Every command takes --help, --json and --data-dir DIR. Run `portico serve --help` for all settings.",
    "`portico --version` prints the version and the commit it was built from.",
  ].join("\n");
}

/** Finds the command named by the leading words of argv (two-word names first); serve when none. */
function pick(argv: string[]): { command: Command; rest: string[] } | null {
  const firstFlag = argv.findIndex((w) => w.startsWith("-"));
  const words = argv.slice(0, firstFlag < 0 ? 2 : Math.min(firstFlag, 2));
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(" ");
    const command = words.length >= n ? COMMANDS.find((c) => c.spec.name === name) : undefined;
    if (command) return { command, rest: argv.slice(n) };
  }
  if (words.length === 0) return { command: COMMANDS.find((c) => c.spec.name === "serve")!, rest: argv };
  return null;
}

/** The flag a validation error is about, when the command has a flag of that name. */
function flagOf(err: ValidationError, command: Command): string | null {
  const field = (err.details as Array<{ field?: string }> | undefined)?.[0]?.field;
  const name = field?.replace(/_/g, "-");
  return name && command.spec.flags[name] ? name : null;
}

/** Runs one command line; resolves to the exit code (servers keep running after it resolves). */
export async function runCli(argv: string[], opts: CliOptions = {}): Promise<number> {
  const io = opts.io ?? STDIO;
  if (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version") {
    io.out(argv.includes("--json") ? JSON.stringify(BUILD) : VERSION_LINE);
    return 0;
  }
  if (argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.out(topHelp());
    return 0;
  }
  const picked = pick(argv);
  if (!picked) {
    io.err(`portico: unknown command "${argv.slice(0, 2).filter((w) => !w.startsWith("-")).join(" ")}"; run portico --help for the list`);
    return 2;
  }
  const { command, rest } = picked;
  const prefix = `portico ${command.spec.name}`;
  try {
    const args = parseArgs(rest, command.spec);
    if (args.help) {
      io.out(commandHelp(command.spec));
      return 0;
    }
    const config = loadConfig(args.config, opts.env ?? process.env);
    const result = await command.run({ args, config, io, opts });
    if (result) io.out(args.json ? JSON.stringify(result.data, null, 2) : result.text);
    return result?.exitCode ?? 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`${prefix}: ${err.message}`);
      return 2;
    }
    if (err instanceof ValidationError) {
      const name = flagOf(err, command);
      const message = name ? err.message.replace(/^[\w.-]+: /, "") : err.message;
      io.err(`${prefix}: ${name ? `--${name}: ` : ""}${message}`);
      return 2;
    }
    if (err instanceof AppError || err instanceof SchemaTooNewError) {
      io.err(`${prefix}: ${err.message}`);
      return 1;
    }
    io.err(`${prefix}: unexpected failure: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
