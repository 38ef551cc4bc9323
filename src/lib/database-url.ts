/**
 * What counts as a Postgres URL, and how one is shown: plain functions the config, the CLI's faces and the
 * storage all use, here so none of them loads the driver for it (Bun's SQL client and the Postgres schema
 * cost a SQLite start ≈ 20 ms) and no face imports storage (test/architecture/layers.test.ts).
 */

/** A `postgres://` or `postgresql://` URL; anything else is refused before a connection is tried. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/[^\s]+$/i.test(url);
}

/** `url` with its password masked, for messages and `--json` output; never the URL as given. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
