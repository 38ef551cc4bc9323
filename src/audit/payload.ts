/**
 * What an audit row may hold of a call's input and output (docs/architecture.md: Audit event): JSON text capped at
 * 64 KB with a visible marker, or nothing at all when the project turned payload storage off. Known
 * secret values never arrive here: the tool runtime redacts them from results, logs and errors first.
 */

/** Payloads longer than this are cut; the marker says how much was dropped. */
export const PAYLOAD_CAP_BYTES = 64 * 1024;

/** Caps a string at PAYLOAD_CAP_BYTES (UTF-8), appending `…[truncated N bytes]`. */
export function capText(text: string): string {
  // Most payloads are far below the cap; only measure bytes when the char count could exceed it.
  if (text.length * 3 <= PAYLOAD_CAP_BYTES) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= PAYLOAD_CAP_BYTES) return text;
  const kept = bytes.subarray(0, PAYLOAD_CAP_BYTES).toString("utf8").replace(/\uFFFD$/, "");
  return `${kept}…[truncated ${bytes.length - Buffer.byteLength(kept)} bytes]`;
}

/**
 * Stored instead of a payload that cannot be serialized (too deep, a cycle, a BigInt): issue 11 #18 —
 * the row is still written, with this marker in place of the payload.
 */
export const UNSERIALIZABLE_MARKER = "…[payload not stored: it could not be serialized]";

/** The stored form of a payload: null when payloads are off or absent, else capped JSON. Never throws. */
export function auditPayload(value: unknown, storePayloads: boolean): string | null {
  if (!storePayloads || value === undefined) return null;
  let json: string | undefined;
  try {
    json = typeof value === "string" ? value : JSON.stringify(value);
  } catch {
    return UNSERIALIZABLE_MARKER;
  }
  return json === undefined ? null : capText(json);
}
