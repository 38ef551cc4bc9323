/**
 * Who is making an MCP request, after authentication: a user through an OAuth grant, an API key (acting
 * with its creator's role), or anyone on a public project's production channel. `scopes` is what this
 * request may do right now (granted ∩ what the current role allows), recomputed on every request.
 */
import type { Role } from "../db/schema";
import type { Scope } from "./scopes";

export type Principal =
  | { kind: "user"; userId: string; grantId: string; clientId: string; sessionId: string; role: Role; scopes: Scope[] }
  | { kind: "apikey"; userId: string; apiKeyId: string; role: Role; scopes: Scope[] }
  | { kind: "anonymous"; ip: string; scopes: Scope[] };

/** Stable id of the credential, for binding MCP sessions and rate limits. */
export function credentialId(p: Principal): string {
  return p.kind === "user" ? `grant:${p.grantId}` : p.kind === "apikey" ? `key:${p.apiKeyId}` : `ip:${p.ip}`;
}
