/**
 * Why a hosted MCP host could not reach this server (issue 16 #1). Claude and ChatGPT connect from their
 * own cloud, not from the user's machine: they need a public https URL on the default port 443
 * (README "Running behind a reverse proxy with https"). Shown on Project → Server and logged at `serve` start,
 * in plain words, before anyone wonders why the connection fails.
 */

/** The README section that explains how to put Portico behind https. */
export const HTTPS_GUIDE = "“Running behind a reverse proxy with https” in the README";

/** This computer's own address (loopback, `localhost`, the unspecified address): only local hosts reach it. */
export function isLoopbackOrLocal(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "0.0.0.0" || h === "::" || /^127\./.test(h);
}

/** Each problem with `publicUrl` for hosted hosts, as one sentence; empty when there is none. */
export function hostedReachProblems(publicUrl: string): string[] {
  const url = new URL(publicUrl);
  const problems: string[] = [];
  if (url.protocol !== "https:") problems.push("it uses http, and hosted apps such as Claude and ChatGPT accept only https");
  if (isLoopbackOrLocal(url.hostname)) problems.push(`${url.hostname} is this computer's own address, which no one else on the internet can reach`);
  if (url.port !== "") problems.push(`it uses port ${url.port}, and hosted apps expect https on the standard port 443`);
  return problems;
}

/** The warning in one paragraph (for the `serve` output), or null when hosted hosts can reach `publicUrl`. */
export function hostedReachWarning(publicUrl: string): string | null {
  const problems = hostedReachProblems(publicUrl);
  if (problems.length === 0) return null;
  return `Claude, ChatGPT and other hosted apps connect from their cloud and cannot reach ${publicUrl}: ${problems.join("; ")}. ` +
    `Local hosts on this computer still work. To connect hosted apps, give Portico a public https URL on port 443 (--public-url), see ${HTTPS_GUIDE}.`;
}
