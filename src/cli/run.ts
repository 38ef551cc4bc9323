/** Command dispatch. Each command lives in its own file; `serve` is the default. */
import { ConfigError, loadConfig } from "../config";
import { startServer, stopOnSignals } from "../server";

export async function runCli(argv: string[]): Promise<number> {
  try {
    const flags: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a.startsWith("--")) {
        const [k, v] = a.slice(2).split("=", 2);
        flags[k!.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = v ?? argv[++i]!;
      }
    }
    const config = loadConfig(flags);
    const server = await startServer(config);
    stopOnSignals(server);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`portico: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
