/**
 * `env.ask`, `env.confirm`, `env.sample` and `env.roots`: a script's questions to the client (MCP 2026-07-28
 * §Multi Round-Trip Requests; elicitation, sampling and roots requests in wire form). Pure logic, run in
 * the sandbox worker: turn the script's arguments into a client request with a key, and look the key up
 * in the answers the job carries. An answer that does not have the shape of its method's result, or that
 * answered a different question under the same key, counts as no answer: the question is asked again
 * (§Error Handling: "respond with a new InputRequiredResult requesting the missing information").
 */
import { createHash } from "node:crypto";
import type { InputAnswer, InputRequest } from "../types";

export type AskKind = "ask" | "confirm" | "sample" | "roots";

/** Questions one run may ask; a script looping over `env.ask` fails instead of growing the reply without end. */
export const MAX_QUESTIONS = 20;
/** Largest question (its params as JSON): the request travels in the reply, not in the sealed state. */
const MAX_QUESTION_CHARS = 32 * 1024;
const KEY = /^[A-Za-z0-9_.-]{1,64}$/;
/** Keys that name Object.prototype members: never question keys (they would reach plain-object maps). */
const RESERVED = new Set(["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty"]);

/** The schema `env.confirm` asks with: one required boolean. */
const CONFIRM_SCHEMA = {
  type: "object",
  properties: { confirm: { type: "boolean", title: "Confirm", description: "Check to go ahead" } },
  required: ["confirm"],
};

export class AskError extends Error {
  override readonly name = "TypeError";
}

/** A short digest of a question: binds an answer to the exact question it answered. */
export function questionDigest(request: InputRequest): string {
  return createHash("sha256").update(JSON.stringify([request.method, request.params])).digest("base64url").slice(0, 22);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function keyOf(given: unknown, kind: AskKind, n: number): string {
  if (given === undefined) return `${kind}_${n}`;
  if (typeof given !== "string" || !KEY.test(given) || RESERVED.has(given)) throw new AskError("key: expected 1–64 letters, digits, '_', '-' or '.' (not a name like __proto__)");
  return given;
}

/** The client request for a script's call `env[kind](...args)`, the n-th question of this run. Throws AskError on bad arguments. */
export function buildQuestion(kind: AskKind, args: unknown[], n: number): { key: string; request: InputRequest } {
  const [first, second] = args;
  const opts = isObject(second) ? second : {};
  let key: string;
  let request: InputRequest;
  switch (kind) {
    case "ask": {
      if (!isObject(first)) throw new AskError("env.ask({ message, schema, key? }): expected an object");
      if (typeof first.message !== "string" || first.message === "") throw new AskError("env.ask: message: expected a non-empty string");
      const schema = first.schema;
      if (!isObject(schema) || schema.type !== "object" || !isObject(schema.properties)) {
        throw new AskError('env.ask: schema: expected { type: "object", properties: { … } } (flat properties of primitive types)');
      }
      key = keyOf(first.key, kind, n);
      request = { method: "elicitation/create", params: { message: first.message, requestedSchema: schema } };
      break;
    }
    case "confirm":
      if (typeof first !== "string" || first === "") throw new AskError("env.confirm(message, { key? }): message: expected a non-empty string");
      key = keyOf(opts.key, kind, n);
      request = { method: "elicitation/create", params: { message: first, requestedSchema: CONFIRM_SCHEMA } };
      break;
    case "sample":
      if (!isObject(first) || !Array.isArray(first.messages) || typeof first.maxTokens !== "number") {
        throw new AskError("env.sample(params, { key? }): params: expected sampling/createMessage params with messages and maxTokens");
      }
      key = keyOf(opts.key, kind, n);
      request = { method: "sampling/createMessage", params: first };
      break;
    case "roots":
      key = keyOf((isObject(first) ? first : {}).key, kind, n);
      request = { method: "roots/list", params: {} };
      break;
  }
  if (JSON.stringify(request.params).length > MAX_QUESTION_CHARS) throw new AskError(`env.${kind}: the question is larger than ${MAX_QUESTION_CHARS} characters`);
  return { key, request };
}

const PRIMITIVE_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === "boolean",
  array: (v) => Array.isArray(v) && v.every((x) => typeof x === "string"),
};

/**
 * An elicitation answer checked against the schema asked (loosely: required fields present, declared
 * primitive types respected; MCP 2026-07-28 §Elicitation "content … matching the requested schema").
 */
function validElicitation(response: Record<string, unknown>, params: Record<string, unknown>): boolean {
  if (response.action === "decline" || response.action === "cancel") return true;
  if (response.action !== "accept") return false;
  const content = response.content ?? {};
  if (!isObject(content)) return false;
  const schema = isObject(params.requestedSchema) ? params.requestedSchema : {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (required.some((name) => typeof name === "string" && !Object.hasOwn(content, name))) return false;
  return Object.entries(content).every(([name, value]) => {
    const declared = properties[name];
    const type = isObject(declared) && typeof declared.type === "string" ? declared.type : null;
    const check = type ? PRIMITIVE_TYPES[type] : undefined;
    return check ? check(value) : typeof value !== "object" || Array.isArray(value);
  });
}

/** Whether `response` has the shape of the result of `request`'s method. */
export function validAnswer(request: InputRequest, response: unknown): boolean {
  if (!isObject(response)) return false;
  switch (request.method) {
    case "elicitation/create":
      return validElicitation(response, request.params);
    case "sampling/createMessage":
      return typeof response.role === "string" && (isObject(response.content) || Array.isArray(response.content));
    case "roots/list":
      return Array.isArray(response.roots) && response.roots.every((r) => isObject(r) && typeof r.uri === "string");
  }
}

/** The answer to `request` under `key`, or undefined when there is none that fits: then it must be asked. */
export function findAnswer(answers: Record<string, InputAnswer>, key: string, request: InputRequest): unknown {
  const answer = Object.hasOwn(answers, key) ? answers[key] : undefined;
  if (!answer) return undefined;
  // Every answer is bound to the question it answered (retry-params.ts takes none without a sealed state).
  if (answer.question !== questionDigest(request)) return undefined;
  return validAnswer(request, answer.response) ? answer.response : undefined;
}

/** What the script's call returns for an answer: the result itself, or for `env.confirm` a boolean. */
export function scriptValue(kind: AskKind, response: unknown): unknown {
  if (kind !== "confirm") return response;
  const r = response as { action: string; content?: Record<string, unknown> };
  return r.action === "accept" && r.content?.confirm === true;
}
