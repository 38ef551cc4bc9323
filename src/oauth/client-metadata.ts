/**
 * Client metadata (RFC 7591 §2) as Portico accepts it, shared by dynamic registration and Client ID
 * Metadata Documents. Unknown fields are ignored (RFC 7591 §2: "MUST ignore any client metadata it does
 * not understand"); the grant types Portico cannot serve are simply never used.
 */
import { z } from "zod";
import { ApplicationTypeSchema } from "./application-type";
import { redirectUriProblem } from "./redirect-uri";

export const AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"] as const;
export const GRANT_TYPES = ["authorization_code", "refresh_token"] as const;

const optionalUrl = z
  .string()
  .max(2000)
  .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), "must be an http(s) URL")
  .optional()
  .catch(undefined);

/** Registered redirect URIs, each checked by `redirectUriProblem`. */
export const RedirectUrisSchema = z
  .array(z.string())
  .min(1, "at least one redirect URI is required")
  .max(10, "at most 10 redirect URIs")
  .superRefine((uris, ctx) => {
    for (const [i, uri] of uris.entries()) {
      const problem = redirectUriProblem(uri);
      if (problem) ctx.addIssue({ code: "custom", path: [i], message: `${uri.slice(0, 200)} ${problem}` });
    }
  });

/** Client metadata common to DCR requests and CIMD documents. */
export const ClientMetadataSchema = z.looseObject({
  redirect_uris: RedirectUrisSchema,
  client_name: z.string().trim().min(1).max(200).optional().catch(undefined),
  client_uri: optionalUrl,
  logo_uri: optionalUrl,
  grant_types: z.array(z.string()).default(["authorization_code"]),
  response_types: z.array(z.string()).default(["code"]),
  scope: z.string().max(1000).optional(),
  // OIDC Registration §2; MCP 2026-07-28 clients send it at registration (SEP-837). Checked against the
  // redirect URIs by `redirectUrisProblem` (application-type.ts).
  application_type: ApplicationTypeSchema,
});
export type ClientMetadata = z.infer<typeof ClientMetadataSchema>;

/** Why the metadata asks for something Portico cannot do, or null. */
export function unsupportedMetadata(meta: ClientMetadata): string | null {
  if (!meta.grant_types.includes("authorization_code")) return "grant_types must include authorization_code";
  if (meta.response_types.some((t) => t !== "code")) return "response_types may only contain code";
  return null;
}

/**
 * The grant types stored for a client: those Portico serves. `refresh_token` is always included: every
 * grant gets a rotating refresh token (docs/architecture.md: Product rules), also for hosts that leave it out of their registration,
 * so they do not lose the connection when the 8-hour access token expires.
 */
export function servedGrantTypes(meta: ClientMetadata): string[] {
  return GRANT_TYPES.filter((g) => g === "refresh_token" || meta.grant_types.includes(g));
}
