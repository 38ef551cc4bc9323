/** What counts as a Postgres URL, in its own file so the config can check one without loading the driver. */

/** A `postgres://` or `postgresql://` URL; anything else is refused before a connection is tried. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/[^\s]+$/i.test(url);
}
