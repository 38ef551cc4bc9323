/** `portico demo`: seed the demo org, users, project and tools, publish, then serve and print how to connect. */
import { channelUrl } from "../../projects/projects";
import { startServer, stopOnSignals } from "../../server";
import { withDeps, type Command } from "../command";
import { DEMO_ORG, DEMO_PROJECT, demoBanner, seedDemo } from "../demo-seed";

export const demoCommand: Command = {
  spec: {
    name: "demo",
    summary: "seed a demo organization, users, project and tools, then serve",
    flags: {},
    details: "Takes the same settings as portico serve, e.g. portico demo --port 0 --data-dir /tmp/demo",
  },
  async run(ctx) {
    ctx.io.err(`Seeding the demo in ${ctx.config.dataDir}…`);
    const seed = await withDeps(ctx, seedDemo);
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
