#!/usr/bin/env bun
/** CLI entry: parses arguments and dispatches to a command in `src/cli/`. */
import { runCli } from "./cli/run";

process.exitCode = await runCli(process.argv.slice(2));
