/** `portico demo`: seed the demo org, users, project and tools, publish, then serve and print how to connect. */
import { channelUrl } from "../../projects/projects";
import { withDeps, type Command } from "../command";
import { DEMO_ORG, DEMO_PROJECT, demoBanner, seedDemo } from "../demo-seed";

/** The demo's own data dir when none is given, so it never mixes into ./data. */
export const DEMO_DATA_DIR = "./demo-data";

export const demoCommand: Command = {
  spec: {
    name: "demo",
    summary: "seed a demo organization, users, project and tools, then serve",
    flags: {},
    details: `Takes the same settings as portico serve, e.g. portico demo --port 0 --data-dir /tmp/demo.
Without --data-dir (or PORTICO_DATA_DIR) the demo uses ${DEMO_DATA_DIR}, apart from your real data.`,
  },
  async run(ctx) {
    const explicit = ctx.args.config.dataDir !== undefined || Boolean((ctx.opts.env ?? process.env).PORTICO_DATA_DIR);
    if (!explicit) ctx.config.dataDir = DEMO_DATA_DIR;
    ctx.io.err(`Seeding the demo in ${ctx.config.dataDir}…`);
    const seed = await withDeps(ctx, seedDemo);
    const { startServer, stopOnSignals } = await import("../../server");
    const server = await startServer(ctx.config);
    if (ctx.opts.signals !== false) stopOnSignals(server);
    ctx.opts.onServer?.(server);
    const url = server.url;
    return {
      data: {
        url,
        login: `${url}/login`,
        users: seed.users,
        project: `${DEMO_ORG}/${DEMO_PROJECT}`,
        version: seed.project.version,
        urls: { production: channelUrl(url, DEMO_ORG, DEMO_PROJECT, "production"), draft: channelUrl(url, DEMO_ORG, DEMO_PROJECT, "draft") },
      },
      text: demoBanner(seed, url),
    };
  },
};
