/**
 * What an audit row may hold of a call's input and output (DESIGN: Audit event): JSON text capped at
 * 64 KB with a visible marker, known secret values replaced, nothing at all when the project turned
 * payload storage off.
 */

/** Payloads longer than this are cut; the marker says how much was dropped. */
export const PAYLOAD_CAP_BYTES = 64 * 1024;
export const REDACTED = "[redacted]";

/** Replaces every occurrence of a known secret value (values shorter than 4 chars would redact noise). */
export function redactSecrets(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const value of secretValues) {
    if (value.length < 4) continue;
    // Inside JSON text a value with quotes or backslashes appears escaped: redact both spellings.
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/** Caps a string at PAYLOAD_CAP_BYTES (UTF-8), appending `…[truncated N bytes]`. */
export function capText(text: string): string {
  // Most payloads are far below the cap; only measure bytes when the char count could exceed it.
  if (text.length * 3 <= PAYLOAD_CAP_BYTES) return text;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= PAYLOAD_CAP_BYTES) return text;
  const kept = bytes.subarray(0, PAYLOAD_CAP_BYTES).toString("utf8").replace(/\uFFFD$/, "");
  return `${kept}…[truncated ${bytes.length - Buffer.byteLength(kept)} bytes]`;
}

/** The stored form of a payload: null when payloads are off or absent, else redacted and capped JSON. */
export function auditPayload(value: unknown, storePayloads: boolean, secretValues: readonly string[] = []): string | null {
  if (!storePayloads || value === undefined) return null;
  const json = typeof value === "string" ? value : JSON.stringify(value);
  if (json === undefined) return null;
  return capText(secretValues.length ? redactSecrets(json, secretValues) : json);
}
