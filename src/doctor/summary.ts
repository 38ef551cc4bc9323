/**
 * The connection doctor's report in plain text (issue 17): what `portico doctor` prints and the text part of
 * the `portico_diagnose_connections` tool result (hosts without structured output read this). The self-check
 * as a ✓/✗ checklist, then the project's findings, then per client its findings (severity, title, fix) and
 * its last few events. Ids and outcomes only, as in the report itself: never a credential.
 */
import type { DoctorReport, Finding, SelfCheckItem } from "./report";

/** How many of each client's events the text shows (the structured report has them all). */
export const EVENTS_SHOWN = 5;

const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;

function findingLines(findings: Finding[], indent: string): string[] {
  return findings.flatMap((f) => [`${indent}[${f.severity}] ${f.title}`, `${indent}    Fix: ${f.fix}`]);
}

/** The report (and its self-check, when one ran) as text. */
export function diagnosisText(d: DoctorReport & { selfCheck: SelfCheckItem[] | null }): string {
  const out: string[] = [`Connection doctor for ${d.org}/${d.project} — public URL ${d.publicUrl}`];
  if (d.selfCheck) {
    const failed = d.selfCheck.filter((i) => !i.ok).length;
    out.push("", `Self-check (the public URL fetched as a host would): ${failed === 0 ? "all passed" : `${failed} failed`}`);
    for (const item of d.selfCheck) out.push(`  ${item.ok ? "✓" : "✗"} ${item.title}`, `      ${item.detail}`);
  }
  if (d.projectFindings.length) out.push("", "Project:", ...findingLines(d.projectFindings, "  "));
  out.push("");
  if (d.clients.length === 0) {
    out.push(
      "No host has tried to connect yet. Paste the project URL into a host (Claude: Settings → Connectors → Add custom connector):",
      `  ${d.publicUrl}/${d.org}/${d.project}   (draft: ${d.publicUrl}/${d.org}/${d.project}/draft)`,
    );
    return out.join("\n");
  }
  out.push("Clients (newest activity first):");
  for (const c of d.clients) {
    const id = c.clientId === null ? "steps no client was named in, " : c.clientId === c.name ? "" : `client ${c.clientId}, `;
    out.push(`  ${c.name} — ${id}last seen ${when(c.lastSeen)}${c.protocolVersion ? `, MCP ${c.protocolVersion}` : ""}`);
    out.push(...(c.findings.length ? ["    Findings:", ...findingLines(c.findings, "      ")] : ["    No findings."]));
    if (c.events.length) {
      out.push(`    Last events${c.events.length > EVENTS_SHOWN ? ` (${EVENTS_SHOWN} of ${c.events.length})` : ""}:`);
      for (const e of c.events.slice(0, EVENTS_SHOWN)) {
        const detail = Object.entries(e.detail).filter(([, v]) => v !== null && v !== "").map(([k, v]) => `${k} ${v}`);
        out.push(`      ${when(e.time)}  ${e.step}  ${e.outcome === "ok" ? "ok" : "failed"}${e.reason ? ` — ${e.reason}` : ""}${detail.length ? `  [${detail.join(", ")}]` : ""}`);
      }
    }
  }
  return out.join("\n");
}
