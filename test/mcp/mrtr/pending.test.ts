/** The 2025 pending-answer registry (src/mcp/mrtr/pending.ts): only the asked session's response answers; waits end. */
import { expect, test } from "bun:test";
import { PendingAnswerError, PendingRequests } from "../../../src/mcp/mrtr/pending";

test("attack: a response on another session does not answer someone else's question", async () => {
  const p = new PendingRequests();
  const waiting = p.wait("session-a", "ask_1", new AbortController().signal, 60_000);
  expect(p.answer("session-b", { id: "ask_1", result: { action: "accept" } })).toBe(false);
  expect(p.answer("session-a", { id: "ask_1", result: { action: "decline" } })).toBe(true);
  expect(await waiting).toEqual({ id: "ask_1", result: { action: "decline" } });
  expect(p.size).toBe(0);
  // Answered once: a replayed response finds nothing.
  expect(p.answer("session-a", { id: "ask_1", result: { action: "accept" } })).toBe(false);
});

test("a wait ends on cancel, on timeout and on shutdown, leaving nothing behind", async () => {
  const p = new PendingRequests();
  const ac = new AbortController();
  const cancelled = p.wait("s", "a", ac.signal, 60_000);
  ac.abort();
  await expect(cancelled).rejects.toBeInstanceOf(PendingAnswerError);
  await expect(p.wait("s", "b", new AbortController().signal, 1)).rejects.toThrow("no answer came");
  const closing = p.wait("s", "c", new AbortController().signal, 60_000);
  p.close();
  await expect(closing).rejects.toThrow("shutting down");
  expect(p.size).toBe(0);
});
