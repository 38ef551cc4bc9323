/** Random identifiers and secrets. Ids are not secrets; tokens are, and are stored only as hashes. */
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

function randomString(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 36];
  return out;
}

/** A short random id with a readable prefix, e.g. `usr_k3j…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomString(20)}`;
}

/** A 256-bit random token, base64url. */
export function newToken(prefix = ""): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return prefix + Buffer.from(bytes).toString("base64url");
}
