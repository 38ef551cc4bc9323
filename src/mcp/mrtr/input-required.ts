/**
 * The 2026-07-28 answer of a call whose script asked (MCP 2026-07-28 §Multi Round-Trip Requests,
 * "InputRequiredResult"): the questions as `inputRequests` and a sealed `requestState` carrying every
 * answer so far and the digests of the questions just asked. Only for questions the request's `_meta`
 * declared it can answer; otherwise MissingRequiredClientCapability (-32021, HTTP 400) naming them.
 */
import { questionDigest } from "../../tools/sandbox/ask-bridge";
import type { InputAnswer, InputRequest } from "../../tools/types";
import type { RequestContext } from "../context";
import { JsonRpcError, RPC } from "../rpc-errors";
import { markInputRequired } from "../stateless/result";
import { missingCapabilities } from "./capabilities";
import { MAX_STATE_ANSWERS, sealRequestState, type StateBinding } from "./request-state";

export interface InputRequiredResult {
  resultType: "input_required";
  inputRequests: Record<string, InputRequest>;
  requestState: string;
  [key: string]: unknown;
}

/** Throws -32021 when the client did not declare what the questions need (both protocol worlds use it to decide). */
export function requireCapabilities(ctx: RequestContext, requests: Record<string, InputRequest>): void {
  const missing = missingCapabilities(requests, ctx.clientCapabilities);
  if (!missing) return;
  const names = Object.keys(missing).join(", ");
  throw new JsonRpcError(RPC.MISSING_CLIENT_CAPABILITY, `This tool needs to ask through ${names}, which the client did not declare in its capabilities.`, {
    requiredCapabilities: missing,
  }, 400);
}

export function inputRequiredResult(ctx: RequestContext, binding: StateBinding, answers: Record<string, InputAnswer>, requests: Record<string, InputRequest>): InputRequiredResult {
  requireCapabilities(ctx, requests);
  if (Object.keys(answers).length > MAX_STATE_ANSWERS) {
    throw new JsonRpcError(RPC.INVALID_PARAMS, `Invalid params: this call has more than ${MAX_STATE_ANSWERS} answers; call the tool again without requestState.`);
  }
  const asked = Object.fromEntries(Object.entries(requests).map(([key, r]) => [key, questionDigest(r)]));
  const requestState = sealRequestState(ctx.deps.tools.secrets, binding, { answers, asked }, ctx.deps.clock.now());
  return markInputRequired({ resultType: "input_required", inputRequests: requests, requestState });
}
