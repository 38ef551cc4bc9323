/** `portico serve` (the default): run the server on the data dir until SIGTERM/SIGINT. */
import { CONFIG_HELP } from "../../config";
import { hostedReachWarning } from "../../lib/hosted-reach";
import type { Command } from "../command";

export const serveCommand: Command = {
  spec: {
    name: "serve",
    summary: "run the server (the default command)",
    flags: {},
    details: ["Settings (flag, or env PORTICO_<NAME>; flags win):", ...CONFIG_HELP.map(([f, d]) => `  --${f.padEnd(26)} ${d}`)].join("\n"),
  },
  async run(ctx) {
    // Loaded here, not at the top: `--help` and the one-shot commands never load the HTTP app.
    const { startServer, stopOnSignals } = await import("../../server");
    const server = await startServer(ctx.config);
    if (server.setupUrl) ctx.io.err(`\nPortico is not set up yet. Open this one-time link to create the owner account:\n  ${server.setupUrl}\n`);
    // The settled URL: with --port 0 (or no --public-url) the input config does not know the port yet.
    const reach = hostedReachWarning(server.url);
    if (reach) ctx.io.err(`\nNote: ${reach}\n`);
    if (ctx.opts.signals !== false) stopOnSignals(server);
    ctx.opts.onServer?.(server);
  },
};
