/**
 * `fetch` for script tools, run in the sandbox worker: the request the script built is checked against
 * the tool's allowed domains on every hop, then sent with `safeFetch` (https only, public addresses only,
 * pinned IP, size and time caps). Refusals become a `FetchError` inside the sandbox.
 */
import { z } from "zod";
import { safeFetch, SafeFetchError } from "../../lib/safe-fetch";
import { hostAllowed, refuseHttpUnlessLoopback } from "../domains";
import type { FetchTrace, SandboxJob } from "./protocol";

/** Largest response body a script may read. */
export const FETCH_MAX_BYTES = 5 * 1024 * 1024;
/** Fetches one call may make. */
export const FETCH_MAX_PER_CALL = 50;
/** Redirects followed per fetch, each re-checked. */
const FETCH_MAX_REDIRECTS = 3;

const FetchRequestSchema = z.object({
  url: z.string().max(8192),
  method: z.string().regex(/^[A-Za-z]{1,16}$/).default("GET"),
  headers: z
    .union([z.record(z.string(), z.string()), z.array(z.tuple([z.string(), z.string()])).transform((pairs) => Object.fromEntries(pairs))])
    .default({}),
  body: z.string().optional(),
});

/** What the script's Response-like object is built from. */
export interface FetchedResponse {
  status: number;
  url: string;
  headers: [string, string][];
  body: string;
}

/** A refusal or failure the script sees as `FetchError` (and the audit as a runtime error). */
export class SandboxFetchError extends Error {}

/** The policy for one hop beyond what safeFetch checks: the tool's domains, and http only to loopback in tests. */
function refusal(job: SandboxJob): (url: URL) => string | undefined {
  const httpPolicy = refuseHttpUnlessLoopback(job.allowLoopbackFetch);
  return (url) => httpPolicy(url) ?? (hostAllowed(url.hostname, job.allowedDomains) ? undefined : `${url.hostname} is not in this tool's allowed domains`);
}

/** Performs one sandbox fetch (`request` as the script passed it: url, method, headers, body). */
export async function bridgeFetch(request: unknown, job: SandboxJob, signal: AbortSignal, remainingMs: number, trace?: (t: FetchTrace) => void): Promise<FetchedResponse> {
  const parsed = FetchRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SandboxFetchError(`invalid fetch options: ${issue.path.join(".") || "url"}: ${issue.message}`);
  }
  const req = parsed.data;
  const started = trace ? performance.now() : 0;
  const traced = (status: number | null, error: string | null) =>
    trace?.({ method: req.method.toUpperCase(), ...hostAndPort(req.url), status, error, ms: performance.now() - started });
  try {
    const res = await safeFetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      allowLoopback: job.allowLoopbackFetch,
      allowHttp: job.allowLoopbackFetch,
      blockedOrigins: job.blockedOrigins,
      proxy: job.proxy,
      refuseUrl: refusal(job),
      timeoutMs: Math.max(1, remainingMs),
      maxBytes: FETCH_MAX_BYTES,
      maxRedirects: FETCH_MAX_REDIRECTS,
      signal,
    });
    traced(res.status, null);
    return { status: res.status, url: res.url, headers: [...res.headers], body: new TextDecoder().decode(res.body) };
  } catch (err) {
    traced(null, err instanceof SafeFetchError ? "fetch_refused" : "fetch_failed");
    if (err instanceof SafeFetchError) throw new SandboxFetchError(`fetch ${describeTarget(req.url)} failed: ${err.message}`);
    throw new SandboxFetchError(`fetch ${describeTarget(req.url)} failed`);
  }
}

function describeTarget(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/** `server.address` and `server.port` of a fetch's span (HTTP semconv): never the path or query. */
function hostAndPort(url: string): { host: string; port: number | null } {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port ? Number(u.port) : null };
  } catch {
    return { host: "", port: null };
  }
}
