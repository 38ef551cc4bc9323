/**
 * The same questions for 2025 sessions (MCP 2025-11-25 §Elicitation, §Sampling, §Roots): sent as JSON-RPC
 * requests on the call's SSE stream, answered by the client in a separate POST on its session (routed by
 * endpoint.ts into `PendingRequests`). The sandbox is not held meanwhile: the caller runs the script again
 * from the start with the answers, exactly as a 2026 retry does.
 */
import { newId } from "../../lib/ids";
import { questionDigest } from "../../tools/sandbox/ask-bridge";
import type { InputAnswer, InputRequest } from "../../tools/types";
import type { RequestContext } from "../context";
import { missingCapabilities } from "./capabilities";
import { PendingAnswerError } from "./pending";
import { REQUEST_STATE_TTL_MS } from "./request-state";

/** Question rounds one 2025 call may go through (a script that keeps asking ends with a tool error). */
export const MAX_ROUNDS = 10;

export type Asked = { answers: Record<string, InputAnswer> } | { failed: string };

const describe = (requests: Record<string, InputRequest>) => [...new Set(Object.values(requests).map((r) => r.method))].join(", ");

/** Asks the client every question of one round and waits for all answers; `failed` says why it could not. */
export async function askOverStream(ctx: RequestContext, requests: Record<string, InputRequest>, round: number): Promise<Asked> {
  const what = describe(requests);
  if (!ctx.session || !ctx.canStream) {
    return { failed: `This tool needs to ask you something (${what}), but this request cannot receive questions: the client must accept a text/event-stream reply on an MCP session.` };
  }
  const missing = missingCapabilities(requests, ctx.clientCapabilities);
  if (missing) {
    return { failed: `This tool needs to ask you something (${what}), but this client did not declare the ${Object.keys(missing).join(", ")} capability, so it cannot answer.` };
  }
  if (round > MAX_ROUNDS) return { failed: `This tool asked more than ${MAX_ROUNDS} rounds of questions in one call.` };
  const session = ctx.session;
  // One round's waiters end together: when one answer fails (or the call ends), the others stop waiting too.
  const roundEnd = new AbortController();
  const signal = AbortSignal.any([ctx.signal, roundEnd.signal]);
  const waits = Object.entries(requests).map(async ([key, request]) => {
    const id = newId("ask");
    const answer = ctx.service.pending.wait(session.id, ctx.project.id, id, signal, REQUEST_STATE_TTL_MS);
    ctx.notify({ jsonrpc: "2.0", id, method: request.method, params: request.params } as Parameters<RequestContext["notify"]>[0]);
    const response = await answer;
    if (response.error !== undefined || response.result === undefined) {
      const message = typeof response.error?.message === "string" ? response.error.message.slice(0, 200) : "no result";
      throw new PendingAnswerError(`the client could not answer ${request.method}: ${message}`);
    }
    return [key, { response: response.result, question: questionDigest(request) }] as const;
  });
  try {
    return { answers: Object.fromEntries(await Promise.all(waits)) };
  } catch (err) {
    if (err instanceof PendingAnswerError) return { failed: `The tool's question was not answered: ${err.message}.` };
    throw err;
  } finally {
    roundEnd.abort();
    // The rejections of waiters ended by the abort are this round's own: nobody else awaits them.
    for (const w of waits) w.catch(() => {});
  }
}
