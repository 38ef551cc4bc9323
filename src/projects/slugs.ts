/** Org and project slugs: lowercase URL segments that never collide with Portico's own routes. */
import { z } from "zod";

export const RESERVED_SLUGS = new Set([
  "admin", "api", "oauth", "login", "logout", "setup", "invite", "invites", "assets", "static",
  ".well-known", "well-known", "healthz", "readyz", "metrics", "account", "reset", "password", "mcp",
  "draft", "docs", "openapi", "favicon.ico", "robots.txt", "portico", "new", "settings", "jwks",
]);

export const SlugSchema = z
  .string()
  .trim()
  .min(2, "must be at least 2 characters")
  .max(48, "must be at most 48 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and dashes (not at either end)")
  .refine((s) => !RESERVED_SLUGS.has(s), "is reserved by Portico; pick another name");

/**
 * The slug rule as an HTML `pattern` attribute (at least 2 characters; the server's SlugSchema has the last
 * word). Browsers compile `pattern` with the RegExp `v` flag (HTML Living Standard, "The pattern attribute"),
 * where a bare `-` in a class is a syntax error and the whole check is skipped: hence `\-`.
 */
export const SLUG_PATTERN = "[a-z0-9][a-z0-9\\-]*[a-z0-9]";

/** A slug suggestion from a display name ("Acme Shop" → "acme-shop"). */
export function slugify(name: string): string {
  return name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48);
}
