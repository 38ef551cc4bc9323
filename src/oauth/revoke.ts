/**
 * POST /oauth/revoke (RFC 7009). Accepts a refresh token or an access token (any `token_type_hint` is only a
 * hint, §2.1), and revokes the whole grant behind it: revocation "kills the grant" (docs/architecture.md: Product rules). Always 200 for
 * an authenticated client, also for unknown or foreign tokens (§2.2), so revocation is idempotent.
 */
import { eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { sha256 } from "../lib/crypto";
import { grantPrefix, recordHandshake } from "../doctor/handshake";
import { authenticateClient } from "./client-auth";
import { getGrant, revokeGrant } from "./grants";
import { json, readForm } from "./http";
import { invalidRequest } from "./errors";
import { first } from "../db/query";

async function grantIdOf(deps: Deps, token: string): Promise<string | null> {
  const { refreshTokens } = deps.db.t;
  const refresh = await first(deps.db.select({ grantId: refreshTokens.grantId }).from(refreshTokens).where(eq(refreshTokens.tokenHash, sha256(token))));
  if (refresh) return refresh.grantId;
  const verified = await deps.oauth.keys.verify(token, deps.config.publicUrl);
  return typeof verified?.claims.gid === "string" ? verified.claims.gid : null;
}

/** POST /oauth/revoke; `ip` is the requester's. */
export async function handleRevoke(deps: Deps, request: Request, ip: string): Promise<Response> {
  const form = await readForm(request);
  const client = await authenticateClient(deps, request, form, ip);
  if (!form.token) throw invalidRequest("token is required.");
  const grantId = await grantIdOf(deps, form.token);
  const grant = grantId ? (await getGrant(deps.db, grantId)) : undefined;
  // §2.1: only the client the token was issued to may revoke it; others get the same silent 200.
  if (grant && grant.clientId === client.id) {
    await revokeGrant(deps, grant.id, { actorId: grant.userId, reason: "revoked by the app" });
    await recordHandshake(deps.db, { projectId: grant.projectId, clientId: client.id, step: "revoke", outcome: "ok", detail: { grant: grantPrefix(grant.id), channel: grant.channel } }, deps.clock.now());
    deps.log.info({ clientId: client.id, grantId: grant.id }, "oauth grant revoked by its client");
  }
  return json({});
}
