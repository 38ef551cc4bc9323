/**
 * Which X-Forwarded-For hops to believe (issue 11 #5). Proxies *append* the address they received a
 * request from (nginx's `$proxy_add_x_forwarded_for`, Caddy, most load balancers), so everything left of
 * the hops our own proxies wrote is whatever the client chose to send. The client IP is therefore the
 * right-most address that is not one of our proxies — never the left-most one.
 *
 * `--trusted-proxy` takes:
 * - nothing, `true`: the proxy runs on this machine (loopback: 127.0.0.0/8, ::1);
 * - `CIDR,CIDR,…`: the proxies' address ranges (a bare address is a /32 or /128);
 * - a hop count `N`: exactly N proxies in front, each appending one address (cloud load balancers whose
 *   addresses are not known in advance): the client is the N-th address from the right;
 * - `false` (default): X-Forwarded-For is ignored; the socket address is the client.
 */
import { isIP } from "node:net";
import { inRange, normalizeIp as normalize, parseCidr, toBits, type Cidr } from "../lib/cidr";

export type TrustedProxy = { kind: "none" } | { kind: "ranges"; ranges: Cidr[]; spec: string } | { kind: "hops"; hops: number };

export const NO_PROXY: TrustedProxy = { kind: "none" };
const LOOPBACK_SPEC = "127.0.0.0/8,::1/128";

/** Parses the flag's value; throws an Error with a readable message for anything else. */
export function parseTrustedProxy(value: string | boolean | undefined): TrustedProxy {
  const text = String(value ?? "false").trim().toLowerCase();
  if (text === "" || text === "false" || text === "0") return NO_PROXY;
  if (text === "true") return parseTrustedProxy(LOOPBACK_SPEC);
  if (/^\d+$/.test(text)) return { kind: "hops", hops: Number(text) };
  const ranges: Cidr[] = [];
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const cidr = parseCidr(part);
    if (!cidr) throw new Error(`"${part}" is not an IP address or CIDR range; use true, a hop count, or CIDRs like 10.0.0.0/8,::1`);
    ranges.push(cidr);
  }
  return { kind: "ranges", ranges, spec: text };
}

/** True when `ip` is one of the trusted proxies' addresses. */
export function isTrustedProxy(policy: TrustedProxy, ip: string): boolean {
  if (policy.kind !== "ranges") return false;
  const bits = toBits(normalize(ip));
  return bits !== null && policy.ranges.some((c) => inRange(bits, c));
}

/**
 * The client IP for a request that arrived from `socketIp` carrying `forwardedFor` (the X-Forwarded-For
 * header, possibly several comma-joined lines). Anything unparseable in the header ends the walk: what
 * lies left of it was written by the client.
 */
export function resolveClientIp(policy: TrustedProxy, socketIp: string, forwardedFor: string | null): string {
  if (policy.kind === "none" || !forwardedFor) return socketIp;
  const hops = forwardedFor.split(",").map((s) => normalize(s)).filter(Boolean);
  if (policy.kind === "hops") {
    // N proxies appended N addresses; the N-th from the right is the one the outermost proxy saw.
    const pick = hops[Math.max(0, hops.length - policy.hops)];
    return pick && isIP(pick) ? pick : socketIp;
  }
  if (!isTrustedProxy(policy, socketIp)) return socketIp;
  let client = socketIp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) break;
    client = hop;
    if (!isTrustedProxy(policy, hop)) break;
  }
  return client;
}
