/**
 * WAL checkpoints off the event loop (issue 19, p99). SQLite checkpoints automatically in whichever connection
 * commits past 1,000 WAL frames — for the server, the audit writer's commit on the event loop — and a
 * checkpoint copies the frames into the database file and fsyncs both files: measured with strace under the
 * bench's load, three fsyncs of 0.8–7 ms each, 9–10 ms of stalled event loop every 150 commits or so, which
 * every request in flight paid (the closed loop's p99 of 13–17 ms at a p50 of 2 ms).
 *
 * `serve` runs `PRAGMA wal_checkpoint(PASSIVE)` every CHECKPOINT_MS on a worker thread with its own connection:
 * PASSIVE never waits for readers or writers, so the event loop's commits go on while it copies and fsyncs; the
 * main connection keeps only a far backstop (BACKSTOP_PAGES) for the WAL restart only a writer can do. Both
 * connections live in one process and one SQLite library, which shares file descriptors and POSIX locks per
 * file between them (the unix VFS), so the worker's connection cannot drop the main one's locks as a foreign
 * descriptor would (src/db/wal-index.ts).
 * When the worker cannot start or fails, the main connection checkpoints itself again, as before.
 */
import type { Database } from "bun:sqlite";
import type { Logger } from "../lib/log";

/** How often the worker checkpoints (each one copies what was committed since the last, and fsyncs). */
export const CHECKPOINT_MS = 100;

/** How long `serve` waits for the worker to open its connection before going on without it. */
const START_TIMEOUT_MS = 5000;

/** SQLite's default, restored when the worker is gone. */
const AUTO_CHECKPOINT_PAGES = 1000;

/**
 * The main connection still checkpoints once the WAL passes this many frames (40 MB). Only a writer can restart
 * the WAL from its beginning, and only after a checkpoint that caught up with every commit — which a checkpoint
 * on another thread never does while commits keep coming (measured: 62 MB of WAL after 5,000 back-to-back
 * commits). By then the worker has copied and synced nearly everything, so this checkpoint has little left to do:
 * it pauses the event loop briefly, and rarely — about every 2 s at the bench's full load instead of every
 * ~0.2 s (the pause costs two fsyncs whatever the size, so fewer is better for p99; the price is WAL disk space).
 */
export const BACKSTOP_PAGES = 10_000;

/**
 * The worker, as source text (a blob: URL, so a compiled binary needs no file beside it). Reports each failure
 * once per kind; `stop` closes its connection before the thread ends.
 */
const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
let db = null;
let timer = null;
self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "start") {
    try {
      db = new Database(message.path);
      db.exec("PRAGMA busy_timeout = 0");
      const checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
      timer = setInterval(() => {
        try {
          checkpoint.get();
        } catch (err) {
          // SQLITE_BUSY: another checkpoint (a CLI process) runs; the next tick tries again.
          if (!String(err && err.code).includes("BUSY")) self.postMessage({ type: "error", message: String(err && err.message) });
        }
      }, message.intervalMs);
      self.postMessage({ type: "started" });
    } catch (err) {
      self.postMessage({ type: "error", fatal: true, message: String(err && err.message) });
    }
  } else if (message.type === "stop") {
    clearInterval(timer);
    try { db && db.close(); } catch {}
    self.postMessage({ type: "stopped" });
  }
};
`;

export interface Checkpointer {
  /** Resolves once the worker has closed its connection (call before the main connection closes). */
  stop(): Promise<void>;
}

/**
 * Moves checkpoints of `sqlite` (a file database in WAL mode) to a worker thread; resolves once the worker
 * runs. A worker that cannot start leaves SQLite's own checkpoints on.
 */
export async function startCheckpointer(sqlite: Database, log: Logger, intervalMs = CHECKPOINT_MS, backstopPages = BACKSTOP_PAGES): Promise<Checkpointer> {
  const path = sqlite.filename;
  const none: Checkpointer = { stop: async () => {} };
  if (!path || path === ":memory:") return none;
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
  const worker = new Worker(url);
  const fallBack = (why: string) => {
    log.warn({ why }, "WAL checkpoints run on the event loop again");
    sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  let stopped: (() => void) | null = null;
  const started = await new Promise<boolean>((resolve) => {
    worker.onmessage = (event: MessageEvent<{ type: string; message?: string; fatal?: boolean }>) => {
      const m = event.data;
      if (m.type === "started") resolve(true);
      else if (m.type === "stopped") stopped?.();
      else if (m.type === "error") {
        log.error({ err: m.message }, "WAL checkpoint worker failed");
        if (m.fatal) resolve(false);
      }
    };
    worker.onerror = (event) => {
      log.error({ err: event.message }, "WAL checkpoint worker failed");
      resolve(false);
    };
    worker.postMessage({ type: "start", path, intervalMs });
    // A worker that never answers must not hold up the start: SQLite's own checkpoints stay on.
    setTimeout(() => resolve(false), START_TIMEOUT_MS).unref?.();
  });
  URL.revokeObjectURL(url);
  if (!started) {
    worker.terminate();
    return none;
  }
  sqlite.exec(`PRAGMA wal_autocheckpoint = ${backstopPages}`);
  worker.onerror = (event) => {
    log.error({ err: event.message }, "WAL checkpoint worker failed");
    fallBack("the checkpoint worker stopped");
  };
  // The worker must not keep the process alive on its own (the server's listener does).
  (worker as unknown as { unref(): void }).unref();
  return {
    async stop() {
      await new Promise<void>((resolve) => {
        stopped = resolve;
        worker.postMessage({ type: "stop" });
        setTimeout(resolve, 2000).unref?.();
      });
      worker.terminate();
      try {
        sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      } catch {
        // the connection is already closed: nothing left to checkpoint from here
      }
    },
  };
}
