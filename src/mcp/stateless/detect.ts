/**
 * Which world serves a POST (docs/architecture.md, "MCP request path"). MCP 2026-07-28 and the 2025
 * revisions share the channel URL: a single message whose `_meta` names a protocol version, or whose
 * MCP-Protocol-Version header says 2026-07-28, is served statelessly (and its `_meta` is then checked in
 * full: a missing field is -32602, a header that disagrees is -32020, an unknown version -32022).
 * Anything else — initialize, session requests, 2025-03-26 batches — is the 2025 world, unchanged.
 */
import { metaVersion, STATELESS_VERSION } from "./meta";

export function isStatelessRequest(headers: Headers, parsed: { messages: unknown[]; batch: boolean }): boolean {
  if (parsed.batch) return false;
  if (headers.get("mcp-protocol-version")?.trim() === STATELESS_VERSION) return true;
  return metaVersion(parsed.messages[0]) !== undefined;
}
