/** Runs the CLI in-process against a temp data dir and captures what it prints. */
import { runCli } from "../../src/cli/run";
import type { RunningServer } from "../../src/server";
import { tempDir } from "../helpers";

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** stdout parsed as JSON (for --json runs). */
  json: any;
}

export class Cli {
  readonly servers: RunningServer[] = [];
  constructor(readonly dataDir = tempDir("portico-cli-")) {}

  async run(...argv: string[]): Promise<CliRun> {
    let out = "";
    let err = "";
    const code = await runCli([...argv, "--data-dir", this.dataDir], {
      io: { out: (t) => (out += t + "\n"), err: (t) => (err += t + "\n") },
      env: {},
      signals: false,
      onServer: (s) => this.servers.push(s),
    });
    let json: unknown;
    try {
      json = JSON.parse(out);
    } catch {
      json = undefined;
    }
    return { code, out, err, json };
  }

  async stop(): Promise<void> {
    for (const s of this.servers.splice(0)) await s.stop();
  }
}

/** Expects a bad-input exit: code 2 and one stderr line naming the flag. */
export function expectBadFlag(r: CliRun, flag: string): void {
  if (r.code !== 2 || !r.err.includes(`--${flag}:`) || r.err.trim().split("\n").length !== 1) {
    throw new Error(`expected exit 2 naming --${flag}, got ${r.code}: ${r.err}`);
  }
}
