/**
 * drizzle's bun-sqlite `run()` is typed `void` but returns bun:sqlite's `Changes`; conditional updates
 * ("claim this token only if still unused") need the count to know whether they won.
 */
export function rowsChanged(result: unknown): number {
  return (result as { changes?: number } | undefined)?.changes ?? 0;
}
