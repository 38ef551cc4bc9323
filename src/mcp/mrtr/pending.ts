/**
 * Server-to-client requests of 2025 sessions waiting for their answer (MCP 2025-11-25 §Transports: the
 * server sends `elicitation/create`, `sampling/createMessage` or `roots/list` on the call's SSE stream; the
 * client POSTs the JSON-RPC response on the same session). Keyed by session and our request id, bounded,
 * timed out, and dropped when the call ends. Nothing holds the sandbox while a person thinks: the script
 * runs again once the answers are in.
 */
import type { RpcResponse as ClientResponse } from "../rpc";

/** Requests waiting over all sessions; a call asking beyond it fails rather than growing the map. */
export const MAX_PENDING = 2_000;
/** Requests waiting on one session, and on one project's sessions: one caller cannot take every slot. */
export const MAX_PENDING_PER_SESSION = 40;
export const MAX_PENDING_PER_PROJECT = 200;

export class PendingAnswerError extends Error {}

interface Waiter {
  sessionId: string;
  projectId: string;
  resolve(response: ClientResponse): void;
  reject(err: Error): void;
}

export class PendingRequests {
  private waiting = new Map<string, Waiter>();

  get size(): number {
    return this.waiting.size;
  }

  /** Waits for the client's response to request `id` on `sessionId`; rejects on timeout, abort, session end or shutdown. */
  wait(sessionId: string, projectId: string, id: string, signal: AbortSignal, timeoutMs: number): Promise<ClientResponse> {
    if (this.waiting.size >= MAX_PENDING || this.count((w) => w.sessionId === sessionId) >= MAX_PENDING_PER_SESSION || this.count((w) => w.projectId === projectId) >= MAX_PENDING_PER_PROJECT) {
      return Promise.reject(new PendingAnswerError("too many questions are waiting for answers; try again later"));
    }
    if (signal.aborted) return Promise.reject(new PendingAnswerError("the call was cancelled"));
    const key = `${sessionId}|${JSON.stringify(id)}`;
    return new Promise<ClientResponse>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.waiting.delete(key);
      };
      const onAbort = () => {
        done();
        reject(new PendingAnswerError("the call was cancelled"));
      };
      const timer = setTimeout(() => {
        done();
        reject(new PendingAnswerError("no answer came within 10 minutes"));
      }, timeoutMs);
      timer.unref?.();
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.set(key, {
        sessionId,
        projectId,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
    });
  }

  /** Hands a client's response to the request waiting for it; false when none waits (unknown, late, or another session's id). */
  answer(sessionId: string, response: ClientResponse): boolean {
    if (typeof response.id !== "string") return false;
    const waiter = this.waiting.get(`${sessionId}|${JSON.stringify(response.id)}`);
    waiter?.resolve(response);
    return waiter !== undefined;
  }

  /** The session ended (DELETE, expiry, revocation): its questions can no longer be answered. */
  dropSession(sessionId: string): void {
    for (const w of [...this.waiting.values()]) if (w.sessionId === sessionId) w.reject(new PendingAnswerError("the session ended"));
  }

  private count(match: (w: Waiter) => boolean): number {
    let n = 0;
    for (const w of this.waiting.values()) if (match(w)) n++;
    return n;
  }

  close(): void {
    for (const w of [...this.waiting.values()]) w.reject(new PendingAnswerError("the server is shutting down"));
  }
}
