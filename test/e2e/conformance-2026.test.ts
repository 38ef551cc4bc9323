/**
 * The MCP 2026-07-28 conformance suite (`@modelcontextprotocol/conformance@0.2.0-alpha.12`, pinned as the
 * dev dependency `conformance-next`, `server --requirements 2026-07-28`) against the same public project
 * the 2025 suite uses, provisioned with the CLI from fixtures/conformance-manifest.json. Exactly the
 * scenarios below may fail — each for a reason the README's Compatibility section gives — and every other
 * scenario the revision requires must pass, so a regression in either direction shows.
 */
import { expect, test } from "bun:test";
import { conformanceServerPerFile, describeFailures, failedScenarios, listScenarios, reworded, runSuite, SUITE_2026 } from "./support/conformance";

/** Scenario → why it does not pass against a Portico project (README: Compatibility). */
export const NOT_APPLICABLE_2026: Record<string, string> = {
  "resources-read-text": "a project's only resources are its interactive tools' ui:// apps; there are no test:// resources",
  "resources-read-binary": "a project's only resources are its interactive tools' ui:// apps; there are no test:// resources",
  "resources-templates-read": "projects have no resource templates",
  "prompts-get-embedded-resource": "prompts are text templates: no embedded resources",
  "prompts-get-with-image": "prompts are text templates: no images",
  "input-required-result-non-tool-request": "only tools ask (MRTR from a script tool); prompts are templates and never ask",
};

/** The tasks extension (io.modelcontextprotocol/tasks) is out of scope: Portico offers no tasks. */
const OUT_OF_SCOPE = /^tasks-/;

const conformance = conformanceServerPerFile();

test("every scenario MCP 2026-07-28 requires passes except the documented not-applicable ones", async () => {
  const required = await listScenarios(SUITE_2026, ["--server", "--requirements", "2026-07-28"]);
  expect(required).toContain("server-stateless");
  const { summary, results } = await runSuite(SUITE_2026, conformance.url, ["--requirements", "2026-07-28"]);
  console.log(`conformance 0.2.0-alpha.12 (2026-07-28) against ${conformance.url}: ${reworded(summary)}`);
  for (const s of required) expect([s, results.has(s)]).toEqual([s, true]);

  const failed = failedScenarios(results).filter((s) => !OUT_OF_SCOPE.test(s));
  expect(describeFailures(results, failed.filter((s) => !(s in NOT_APPLICABLE_2026)))).toEqual([]);
  // A not-applicable scenario that starts passing means the README (and this list) must be updated.
  expect(failed).toEqual(Object.keys(NOT_APPLICABLE_2026).sort());
  for (const s of ["server-stateless", "caching", "http-header-validation", "http-custom-header-server-validation", "sep-2164-resource-not-found", "json-schema-2020-12"]) {
    expect([s, results.get(s)!.some((c) => c.status === "SUCCESS")]).toEqual([s, true]);
  }
  expect(conformance.server.errorLogs()).toEqual([]);
}, 300_000);
