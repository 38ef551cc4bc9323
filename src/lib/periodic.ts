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

/** Runs `task` at once and every `intervalMs`; the timer is cleared by the shutdown hooks. */
export function runPeriodically(deps: PeriodicDeps, name: string, intervalMs: number, task: () => void): void {
  const run = () => {
    try {
      task();
    } catch (err) {
      deps.log.error({ err }, `${name} failed`);
    }
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref?.();
  deps.shutdownHooks.push(() => clearInterval(timer));
}
