/** The 2025 pending-answer registry (src/mcp/mrtr/pending.ts): only the asked session's response answers; waits end. */
import { expect, test } from "bun:test";
import { MAX_PENDING_PER_SESSION, PendingAnswerError, PendingRequests } from "../../../src/mcp/mrtr/pending";

test("attack: a response on another session does not answer someone else's question", async () => {
  const p = new PendingRequests();
  const waiting = p.wait("session-a", "project", "ask_1", new AbortController().signal, 60_000);
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
  const cancelled = p.wait("s", "project", "a", ac.signal, 60_000);
  ac.abort();
  await expect(cancelled).rejects.toBeInstanceOf(PendingAnswerError);
  await expect(p.wait("s", "project", "b", new AbortController().signal, 1)).rejects.toThrow("no answer came");
  const closing = p.wait("s", "project", "c", new AbortController().signal, 60_000);
  p.close();
  await expect(closing).rejects.toThrow("shutting down");
  expect(p.size).toBe(0);
});

test("attack: one session cannot take every slot, and its questions end with the session", async () => {
  const p = new PendingRequests();
  const signal = new AbortController().signal;
  const waits = Array.from({ length: MAX_PENDING_PER_SESSION }, (_, i) => p.wait("greedy", "project", `q${i}`, signal, 60_000));
  await expect(p.wait("greedy", "project", "one-more", signal, 60_000)).rejects.toThrow("too many questions");
  // Another session of another project still gets a slot.
  const other = p.wait("polite", "elsewhere", "q", signal, 60_000);
  p.dropSession("greedy");
  for (const w of waits) await expect(w).rejects.toThrow("the session ended");
  expect(p.size).toBe(1);
  p.close();
  await expect(other).rejects.toThrow("shutting down");
});
