/**
 * `portico doctor`: the connection doctor in the terminal (issue 17) — the self-check of the public URL as a
 * ✓/✗ checklist, then per client its findings (severity, title, fix) and its last few events; `--json` prints
 * the report (`doctor.diagnose`, src/services/diagnose.ts, the same as the API and the management tool).
 * It reads the data dir as the operator (whoever can run it there can read the database), so it works while
 * a server runs on it; the self-check fetches the public URL from the config (`--public-url`,
 * PORTICO_PUBLIC_URL) — when nothing answers there, that is one failed item, not a failure of the command.
 */
import { PROJECT_FLAG, projectFlag, withDeps, type Command } from "../command";

export const doctorCommand: Command = {
  spec: {
    name: "doctor",
    summary: "say why a host cannot connect to a project: self-check of the public URL, findings and recent steps per client",
    flags: {
      project: PROJECT_FLAG,
      client: { description: "only this OAuth client (its client_id)", value: "ID" },
      "no-self-check": { description: "skip fetching the public URL's metadata as a host would", type: "boolean" },
    },
    details:
      "The self-check fetches the public URL (--public-url or PORTICO_PUBLIC_URL, as the server is started with) with a 3 s timeout per request. " +
      "Run it on the server's machine; behind a proxy the server may not reach its own public URL, so also check from outside.",
  },
  async run(ctx) {
    // Loaded on use, as `withDeps` loads the deps: `portico --help` need not parse the doctor's services.
    const [{ diagnosisText }, { diagnosis, DiagnoseInputSchema }, { parseInput }] = await Promise.all([
      import("../../doctor/summary"), import("../../services/diagnose"), import("../../services/input"),
    ]);
    return withDeps(ctx, async (deps) => {
      const found = await projectFlag(ctx, deps);
      const input = parseInput(DiagnoseInputSchema, { clientId: ctx.args.flags.client, selfCheck: ctx.args.switches["no-self-check"] !== true });
      const report = await diagnosis(deps, found, input);
      return { data: report, text: diagnosisText(report) };
    });
  },
};
