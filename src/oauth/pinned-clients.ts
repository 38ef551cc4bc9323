/**
 * Pinned copies of well-known hosts' Client ID Metadata Documents, used only when the live document
 * cannot be fetched and no cached copy exists (docs/architecture.md: CIMD rules). Claude's is often behind a bot wall
 * for datacenter IPs (docs/architecture.md: Measured facts). Values as published by the hosts.
 */
export const PINNED_CLIENT_DOCUMENTS: Record<string, Record<string, unknown>> = {
  "https://claude.ai/oauth/mcp-oauth-client-metadata": {
    client_id: "https://claude.ai/oauth/mcp-oauth-client-metadata",
    client_name: "Claude",
    client_uri: "https://claude.ai",
    redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
  },
  "https://chatgpt.com/oauth/client.json": {
    client_id: "https://chatgpt.com/oauth/client.json",
    client_name: "ChatGPT",
    client_uri: "https://chatgpt.com",
    // ChatGPT uses this fixed callback when the server advertises RFC 9207 `iss`, which Portico does.
    redirect_uris: ["https://chatgpt.com/connector_platform_oauth_redirect"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
  },
};
