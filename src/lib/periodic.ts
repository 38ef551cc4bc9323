/**
 * In-process housekeeping timers (a single binary has no external scheduler): run a task soon after start
 * and then every interval until shutdown. Failures are logged, never thrown; the timer never keeps the process alive.
 */
import type { Logger } from "./log";

/** What a periodic task needs from `Deps`. */
export interface PeriodicDeps {
  log: Logger;
  shutdownHooks: Array<() => Promise<void> | void>;
}

/**
 * How long after start the first run waits. At once, the OAuth housekeeping and the audit retention ran
 * beside the start-up (their queries were built and run while the app was being built) and finished just
 * before the first request could be answered: a cold start paid for cleanup no request needs
 * (docs/architecture.md: Measured facts, "Cold start").
 */
export const FIRST_RUN_DELAY_MS = 1_000;

/**
 * Runs `task` once shortly after start (`FIRST_RUN_DELAY_MS`) and every `intervalMs`; the timers are cleared
 * by the shutdown hooks, which also wait for a run in progress (it may be mid-transaction: the database must
 * not close under it). A run still going when the next is due is not doubled.
 */
export function runPeriodically(deps: PeriodicDeps, name: string, intervalMs: number, task: () => void | Promise<void>): void {
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return;
    running = (async () => {
      try {
        await task();
      } catch (err) {
        deps.log.error({ err }, `${name} failed`);
      } finally {
        running = null;
      }
    })();
  };
  const first = setTimeout(run, FIRST_RUN_DELAY_MS);
  first.unref?.();
  const timer = setInterval(run, intervalMs);
  timer.unref?.();
  deps.shutdownHooks.push(async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  });
}
