/**
 * Which client capability each question needs (MCP 2026-07-28 §Multi Round-Trip Requests: servers MUST
 * NOT send an input request the client has not declared support for; MCP 2025-11-25 §Client Features).
 */
import type { InputMethod, InputRequest } from "../../tools/types";

const CAPABILITY: Record<InputMethod, string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/** The capabilities `requests` need that `declared` lacks, as a ClientCapabilities object; null when none is missing. */
export function missingCapabilities(requests: Record<string, InputRequest>, declared: Record<string, unknown>): Record<string, object> | null {
  const missing: Record<string, object> = {};
  for (const r of Object.values(requests)) {
    const name = CAPABILITY[r.method];
    const given = declared[name];
    if (typeof given !== "object" || given === null) missing[name] = {};
  }
  return Object.keys(missing).length > 0 ? missing : null;
}
