import { resolveClientIp, type TrustedProxy } from "./trusted-proxy";

/**
 * The client's IP: the socket address, or — behind a trusted proxy — the right-most X-Forwarded-For
 * address that is not one of our proxies (see `trusted-proxy.ts`; issue 11 #5).
 */
export function clientIp(
  request: Request,
  server: { requestIP(r: Request): { address: string } | null } | null | undefined,
  trustedProxy: TrustedProxy,
): string {
  const socket = server?.requestIP(request)?.address ?? "unknown";
  return resolveClientIp(trustedProxy, socket, request.headers.get("x-forwarded-for"));
}
