/**
 * Entry point of a sandbox worker thread (started by `pool.ts`). It runs one call at a time and can be
 * terminated by the host at any moment — the host's backstop for a call QuickJS cannot interrupt.
 * A compiled binary carries it bundled (embedded-worker.ts), so the build needs no extra entrypoint.
 */
import { SandboxEngine } from "./engine";
import type { HostToWorker, WorkerToHost } from "./protocol";

declare const self: Worker;
const send = (msg: WorkerToHost) => self.postMessage(msg);

try {
  const engine = await SandboxEngine.load();
  let running: number | null = null;
  let broken = false;
  self.onmessage = async (event: MessageEvent<HostToWorker>) => {
    const msg = event.data;
    if (msg.type === "cancel") return msg.id === running ? engine.cancel() : undefined;
    const { id, job } = msg;
    if (broken) return send({ type: "done", id, result: { ok: false, errorClass: "runtime", error: "the script sandbox is restarting" }, recycle: true });
    running = id;
    const { result, recycle } = await engine.run(job, {
      log: (level, message) => send({ type: "log", id, level, message }),
      progress: (progress, total, message) => send({ type: "progress", id, progress, total, message }),
      fetched: (fetch) => send({ type: "fetched", id, fetch }),
    });
    running = null;
    send({ type: "done", id, result, recycle });
    if (!recycle && !engine.tidy()) {
      broken = true;
      send({ type: "retire" });
    }
  };
  send({ type: "ready" });
} catch {
  send({ type: "failed", error: "the QuickJS module could not be loaded" });
}
