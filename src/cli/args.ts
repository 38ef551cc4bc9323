/**
 * A small argument parser: `--flag value`, `--flag=value`, `--switch`, positionals. Every command also
 * takes `--help`, `--json` and the server settings (`--data-dir`, `--public-url`, …, see `CONFIG_HELP`).
 * A mistake is a UsageError naming the flag; the CLI prints it on one line and exits with code 2.
 */
import { CONFIG_FLAGS, ConfigSchema, type ConfigInput } from "../config";

/** One flag of a command. */
export interface FlagSpec {
  description: string;
  /** `boolean` flags take no value (`--force`); the rest need one. */
  type?: "string" | "boolean";
  required?: boolean;
  /** Shown in help, e.g. `EMAIL`. */
  value?: string;
}

/** A command's name, help text and flags. */
export interface CommandSpec {
  /** One or two words, e.g. `user create`. */
  name: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  /** Extra help text (examples, notes). */
  details?: string;
  /** A flag that may also be given as the one bare argument (`portico restore FILE` = `--from FILE`). */
  positional?: string;
}

/** A wrong command line; `flag` is named in the one-line message (exit code 2). */
export class UsageError extends Error {
  constructor(
    readonly flag: string | null,
    message: string,
  ) {
    super(flag ? `--${flag}: ${message}` : message);
  }
}

/** Flags by name; server settings go to `config`, for `loadConfig`. */
export interface ParsedArgs {
  flags: Record<string, string | undefined>;
  switches: Record<string, boolean>;
  config: ConfigInput;
  json: boolean;
  help: boolean;
}

const kebabToCamel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Config keys whose default is a boolean are switches (`--trusted-proxy`). */
const CONFIG_SWITCHES = new Set(
  CONFIG_FLAGS.filter((f) => typeof (ConfigSchema.shape as Record<string, { safeParse(v: unknown): { data?: unknown } }>)[kebabToCamel(f)]!.safeParse(undefined).data === "boolean"),
);

/** Config flags that work alone (meaning `true`) or with a value: `--trusted-proxy` or `--trusted-proxy 10.0.0.0/8`. */
const CONFIG_OPTIONAL_VALUES = new Set(["trusted-proxy"]);

/** Parses argv (after the command words) against a command's flags. */
export function parseArgs(argv: string[], spec: CommandSpec): ParsedArgs {
  const out: ParsedArgs = { flags: {}, switches: {}, config: {}, json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (spec.positional && !arg.startsWith("-") && out.flags[spec.positional] === undefined) {
      out.flags[spec.positional] = arg;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") throw new UsageError(null, `unexpected argument "${arg}"; see portico ${spec.name} --help`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (name === "help" || name === "json") {
      out[name] = true;
      continue;
    }
    const own = spec.flags[name];
    const isSwitch = own ? own.type === "boolean" : CONFIG_SWITCHES.has(name);
    if (!own && !CONFIG_FLAGS.includes(name)) throw new UsageError(name, `unknown flag; see portico ${spec.name} --help`);
    let value: string | undefined = inline;
    if (value === undefined && !own && CONFIG_OPTIONAL_VALUES.has(name)) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        value = next;
        i++;
      }
    } else if (value === undefined && !isSwitch) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(name, "needs a value");
      i++;
    }
    if (own && isSwitch) {
      if (value !== undefined && !["true", "false"].includes(value)) throw new UsageError(name, "is a switch: use it alone or with =true/=false");
      out.switches[name] = value !== "false";
    } else if (own) out.flags[name] = value;
    else out.config[kebabToCamel(name) as keyof ConfigInput] = value ?? "true";
  }
  if (!out.help) {
    for (const [name, f] of Object.entries(spec.flags)) {
      if (f.required && (out.flags[name] === undefined || out.flags[name] === "")) throw new UsageError(name, "is required");
    }
  }
  return out;
}

/** `portico <name> --help` text. */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const left = `--${name}${f.type === "boolean" ? "" : ` ${f.value ?? "VALUE"}`}`;
    return `  ${left.padEnd(28)} ${f.description}${f.required ? " (required)" : ""}`;
  });
  rows.push(`  ${"--json".padEnd(28)} machine-readable output on stdout`);
  rows.push(`  ${"--data-dir DIR".padEnd(28)} data directory (default ./data; env PORTICO_DATA_DIR)`);
  rows.push(`  ${"--help".padEnd(28)} this help`);
  return [`portico ${spec.name} — ${spec.summary}`, "", "Usage:", `  portico ${spec.name}${spec.positional ? ` [${spec.flags[spec.positional]?.value ?? "VALUE"}]` : ""} [flags]`, "", "Flags:", ...rows, ...(spec.details ? ["", spec.details] : []), "", "Server settings (see portico serve --help) are accepted by every command."].join("\n");
}
