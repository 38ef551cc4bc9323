/**
 * SSRF: a script tool's fetch, http tools and CIMD client_ids pointed at loopback (in every spelling),
 * private, link-local and cloud-metadata targets are all refused before any connection is made. The probe
 * (support/ssrf-probe.ts) runs in a fresh network namespace with only `lo` up when the machine allows it
 * (root + unshare), so nothing can leave the machine even if the policy regressed; otherwise it probes
 * the loopback spellings only. A TCP listener inside counts connections: there must be none.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../support/portico";

const PROBE = join(import.meta.dir, "../support/ssrf-probe.ts");
const REFUSED = /private or reserved address|URLs are not allowed|could not resolve|is Portico itself|not in this tool's allowed domains/;

function isolatedNetworkAvailable(): boolean {
  // The same command the probe runs under, so a machine without iproute2 falls back instead of failing.
  return process.getuid?.() === 0 && Bun.spawnSync(["unshare", "--net", "sh", "-c", "ip link set lo up"]).exitCode === 0;
}

test("tool fetch, http tools and CIMD refuse loopback, private, link-local and metadata targets without connecting", async () => {
  const isolated = isolatedNetworkAvailable();
  if (!isolated) console.log("ssrf: no root/unshare here — probing loopback spellings only (off-loopback targets need an isolated network namespace)");
  const cmd = isolated
    ? ["unshare", "--net", "sh", "-c", `ip link set lo up && exec "${process.execPath}" "${PROBE}"`]
    : [process.execPath, PROBE, "--loopback-only"];
  const proc = Bun.spawn(cmd, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(await proc.exited, err).toBe(0);
  const report = JSON.parse(out.trim().split("\n").pop()!);
  expect(report.targets.length).toBeGreaterThanOrEqual(isolated ? 19 : 10);

  expect(report.connections).toBe(0);
  for (const r of [...report.script, ...report.http]) {
    expect(r.status, r.url).toBe(200);
    expect(r.isError, `${r.url}: ${r.text}`).toBe(true);
    expect(r.text, r.url).toMatch(REFUSED);
  }
  for (const r of report.cimd) {
    // Refused on a page, never redirected anywhere.
    expect(r.status, r.url).toBe(400);
    expect(r.location, r.url).toBeNull();
    expect(r.text, r.url).toMatch(/could not be used|Unknown client/);
  }
  expect(report.healthz).toBe(200);
}, 60_000);
