/**
 * In-process housekeeping timers (a single binary has no external scheduler): run a task now and then
 * every interval until shutdown. Failures are logged, never thrown; the timer never keeps the process alive.
 */
import type { Logger } from "./log";

/** What a periodic task needs from `Deps`. */
export interface PeriodicDeps {
  log: Logger;
  shutdownHooks: Array<() => Promise<void> | void>;
}

/**
 * Runs `task` at once and every `intervalMs`; the timer is cleared by the shutdown hooks, which also wait
 * for a run in progress (it may be mid-transaction: the database must not close under it). A run still
 * going when the next is due is not doubled.
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
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref?.();
  deps.shutdownHooks.push(async () => {
    clearInterval(timer);
    await running;
  });
}
