/**
 * IP addresses and CIDR ranges as bit strings, for `--trusted-proxy` (src/http/trusted-proxy.ts) and the
 * outbound proxy's NO_PROXY entries (src/lib/outbound-proxy.ts).
 */
import { isIP } from "node:net";

export interface Cidr {
  v6: boolean;
  /** The address as a big-endian bit string packed into a bigint, and the prefix length. */
  bits: bigint;
  prefix: number;
}

/** Strips brackets, an IPv4-mapped IPv6 prefix (`::ffff:1.2.3.4`, as a dual-stack socket reports IPv4 peers) and a zone. */
export function normalizeIp(ip: string): string {
  const bare = ip.trim().replace(/^\[|\]$/g, "").split("%")[0]!;
  const mapped = bare.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  return mapped ? mapped[1]! : bare;
}

export function toBits(ip: string): { v6: boolean; bits: bigint } | null {
  const kind = isIP(ip);
  if (kind === 4) {
    const bits = ip.split(".").reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
    return { v6: false, bits };
  }
  if (kind !== 6) return null;
  let text = ip.toLowerCase();
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const n = Number(toBits(dotted[1]!)!.bits);
    text = text.slice(0, -dotted[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return { v6: true, bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
}

/** `addr` or `addr/len` (a bare address is a /32 or /128); null for anything else. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len] = text.split("/") as [string, string | undefined];
  const ip = toBits(normalizeIp(addr));
  if (!ip) return null;
  const max = ip.v6 ? 128 : 32;
  const prefix = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (len !== undefined && !/^\d+$/.test(len))) return null;
  return { ...ip, prefix };
}

export function inRange(ip: { v6: boolean; bits: bigint }, c: Cidr): boolean {
  if (ip.v6 !== c.v6) return false;
  const shift = BigInt((c.v6 ? 128 : 32) - c.prefix);
  return ip.bits >> shift === c.bits >> shift;
}
