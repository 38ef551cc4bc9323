/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/ §3.2) `traceparent`, which MCP 2026-07-28 carries
 * in a request's `_meta` (SEP-414). It is caller-controlled text, so only the version-00 form is kept —
 * `00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>`, lowercase, ids not all zeros (§3.2.2.3, §3.2.2.4)
 * — and anything else is dropped, never stored or logged raw.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The value when it is a well-formed version-00 `traceparent`, else null. */
export function validTraceparent(value: unknown): string | null {
  if (typeof value !== "string" || value.length !== 55) return null;
  const match = TRACEPARENT.exec(value);
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return null;
  return value;
}
