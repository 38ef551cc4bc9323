/**
 * The one source of wall-clock time (docs/architecture.md, "Layers": dependencies are passed in). Code with
 * `deps` reads `deps.clock.now()`; storage and lib functions take `now` from their caller. A test can build
 * deps with a fake clock to move time without sleeping, and `systemClock` reads `Date.now()`, so bun:test's
 * `setSystemTime` still moves it too.
 *
 * Durations (audit `durationMs`, sandbox deadlines, idle timers) are measured with `performance.now()`
 * instead: they must not jump when the wall clock does.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
