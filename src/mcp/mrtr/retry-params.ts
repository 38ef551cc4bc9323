/**
 * The retry of a tool call that asked (MCP 2026-07-28 §Multi Round-Trip Requests): `inputResponses` (the
 * client's results, by the keys Portico chose) and the `requestState` it echoes. Checked at the boundary
 * (§Error Handling: malformed InputResponses are a protocol error → -32602), then merged with the
 * answers the state carries.
 */
import { z } from "zod";
import type { InputAnswer } from "../../tools/types";
import { JsonRpcError, RPC } from "../rpc-errors";
import { MAX_STATE_ANSWERS, openRequestState, type OpenState, type StateBinding } from "./request-state";
import type { MasterKeys } from "../../oauth/key-seal";

const RetryParamsSchema = z.object({
  inputResponses: z
    .record(z.string().max(64), z.looseObject({}), { error: "expected an object of results by request key" })
    .refine((r) => Object.keys(r).length <= MAX_STATE_ANSWERS, `at most ${MAX_STATE_ANSWERS} responses`)
    .optional(),
  requestState: z.string({ error: "expected the string the server sent" }).optional(),
});

/**
 * The answers a call runs with: the answers a verified state carries, plus the responses to the keys its
 * last round asked (each bound to the digest of the question it answers); other keys are ignored (§Error
 * Handling: "the server SHOULD ignore any information it does not recognize"). Without a state no
 * response is taken: keys are predictable (`confirm_1`), so accepting them would let a caller answer a
 * confirmation it was never shown — the tool asks, and the answer comes back bound to its question.
 */
export function retryAnswers(master: MasterKeys, binding: StateBinding, params: Record<string, unknown>, now: number): OpenState {
  if (!("inputResponses" in params) && !("requestState" in params)) return { answers: {}, asked: {} };
  const parsed = RetryParamsSchema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JsonRpcError(RPC.INVALID_PARAMS, `Invalid params: ${issue?.path.map(String).join(".") || "params"}: ${issue?.message ?? "invalid"}`);
  }
  const responses = parsed.data.inputResponses ?? {};
  if (parsed.data.requestState === undefined) return { answers: {}, asked: {} };
  const state = openRequestState(master, binding, parsed.data.requestState, now);
  const answers: Record<string, InputAnswer> = { ...state.answers };
  for (const [key, question] of Object.entries(state.asked)) {
    if (Object.hasOwn(responses, key)) answers[key] = { response: responses[key], question };
  }
  return { answers, asked: state.asked };
}
