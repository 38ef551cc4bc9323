/**
 * Which IP addresses an outbound fetch may connect to (docs/architecture.md: Tools: runtime safety; CIMD rules).
 * An allow-list of global unicast space: anything special-purpose (RFC 6890 registries) is refused,
 * including address forms that embed an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo), so a private
 * IPv4 target cannot be smuggled in through an IPv6 spelling.
 */
import { isIP } from "node:net";

/** [first address as uint32, prefix length] of IPv4 ranges that are not globally routable. */
const BLOCKED_V4: Array<[number, number]> = [
  [v4("0.0.0.0"), 8], // "this network", incl. unspecified
  [v4("10.0.0.0"), 8], // RFC 1918
  [v4("100.64.0.0"), 10], // RFC 6598 CGNAT
  [v4("127.0.0.0"), 8], // loopback
  [v4("169.254.0.0"), 16], // link-local (cloud metadata endpoints)
  [v4("172.16.0.0"), 12], // RFC 1918
  [v4("192.0.0.0"), 24], // IETF protocol assignments
  [v4("192.0.2.0"), 24], // TEST-NET-1
  [v4("192.88.99.0"), 24], // 6to4 relay anycast
  [v4("192.168.0.0"), 16], // RFC 1918
  [v4("198.18.0.0"), 15], // benchmarking
  [v4("198.51.100.0"), 24], // TEST-NET-2
  [v4("203.0.113.0"), 24], // TEST-NET-3
  [v4("224.0.0.0"), 4], // multicast
  [v4("240.0.0.0"), 4], // reserved + broadcast
];

function v4(ip: string): number {
  const parts = ip.split(".").map(Number);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function inV4Range(addr: number, [base, bits]: [number, number]): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (addr & mask) >>> 0 === (base & mask) >>> 0;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, embedded dotted IPv4 expanded). */
function v6Groups(ip: string): number[] {
  let text = ip.split("%")[0]!.toLowerCase();
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const n = v4(dotted[1]!);
    text = text.slice(0, -dotted[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  if (tail === undefined) return h;
  const t = parse(tail);
  return [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

function v4Allowed(addr: number, allowLoopback: boolean): boolean {
  if (allowLoopback && inV4Range(addr, [v4("127.0.0.0"), 8])) return true;
  return !BLOCKED_V4.some((r) => inV4Range(addr, r));
}

function v6Allowed(g: number[], allowLoopback: boolean): boolean {
  const isLoopback = g.slice(0, 7).every((x) => x === 0) && g[7] === 1;
  if (isLoopback) return allowLoopback;
  // ::ffff:0:0/96 IPv4-mapped: judged as the IPv4 address it carries.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return v4Allowed(((g[6]! << 16) | g[7]!) >>> 0, allowLoopback);
  }
  // Only 2000::/3 is global unicast; ::/8 (unspecified, IPv4-compatible, NAT64 64:ff9b::/96),
  // fc00::/7 unique-local, fe80::/10 link-local, ff00::/8 multicast all fall outside it.
  if ((g[0]! & 0xe000) !== 0x2000) return false;
  if (g[0] === 0x2001 && g[1]! < 0x200) return false; // 2001::/23 IETF, incl. Teredo 2001::/32
  if (g[0] === 0x2001 && g[1] === 0xdb8) return false; // documentation
  if (g[0] === 0x2002) return false; // 6to4 embeds an IPv4 address
  return true;
}

/**
 * True when `ip` (a literal IPv4 or IPv6 address) may be connected to. `allowLoopback` (tests only)
 * admits exactly 127.0.0.0/8 and ::1 — never private or link-local ranges.
 */
export function isAddressAllowed(ip: string, allowLoopback: boolean): boolean {
  const family = isIP(ip.split("%")[0]!);
  if (family === 4) return v4Allowed(v4(ip), allowLoopback);
  if (family === 6) {
    const groups = v6Groups(ip);
    return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) && v6Allowed(groups, allowLoopback);
  }
  return false;
}
