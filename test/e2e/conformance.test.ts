/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, server mode, every scenario of
 * `--suite all`) against a public Portico project provisioned with the CLI from
 * fixtures/conformance-manifest.json (script tools and prompts mirroring the suite's everything-server).
 * Exactly the scenarios in NOT_APPLICABLE may fail — each for a reason the README's Compatibility section
 * gives — and every other scenario must pass, so a regression in either direction shows.
 */
import { expect, test } from "bun:test";
import { conformanceServerPerFile, describeFailures, failedScenarios, listScenarios, reworded, runSuite, SUITE_2025 } from "./support/conformance";

/** Scenario → why it cannot pass against a Portico project (README: Compatibility). */
export const NOT_APPLICABLE: Record<string, string> = {
  "resources-read-text": "a project's only resources are its interactive tools' ui:// apps; there are no test:// resources",
  "resources-read-binary": "a project's only resources are its interactive tools' ui:// apps; there are no test:// resources",
  "resources-templates-read": "projects have no resource templates",
  "resources-subscribe": "resources/subscribe is not offered (the subscribe capability is not advertised)",
  "resources-unsubscribe": "resources/subscribe is not offered (the subscribe capability is not advertised)",
  "prompts-get-embedded-resource": "prompts are text templates: no embedded resources",
  "prompts-get-with-image": "prompts are text templates: no images",
};

const conformance = conformanceServerPerFile();

test("every conformance scenario passes except the documented not-applicable ones", async () => {
  const scenarios = await listScenarios(SUITE_2025, ["--server"]);
  expect(scenarios.length).toBeGreaterThanOrEqual(30);
  const { summary, results } = await runSuite(SUITE_2025, conformance.url, ["--suite", "all"]);
  console.log(`conformance 0.1.16 against ${conformance.url}: ${reworded(summary)}`);
  expect([...results.keys()].sort()).toEqual([...scenarios].sort());

  const failed = failedScenarios(results);
  expect(describeFailures(results, failed.filter((s) => !(s in NOT_APPLICABLE)))).toEqual([]);
  // A not-applicable scenario that starts passing means the README (and this list) must be updated.
  expect(failed.sort()).toEqual(Object.keys(NOT_APPLICABLE).sort());
  // The applicable tool scenarios really passed (not merely "no failure").
  for (const s of ["tools-call-with-logging", "tools-call-with-progress", "tools-call-audio", "json-schema-2020-12", "dns-rebinding-protection"]) {
    expect(results.get(s)!.some((c) => c.status === "SUCCESS")).toBe(true);
  }
  expect(conformance.server.errorLogs()).toEqual([]);
}, 300_000);
