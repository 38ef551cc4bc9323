/**
 * The `requestState` of a tool call that asks (MCP 2026-07-28 §Multi Round-Trip Requests, "Server
 * Requirements": the state is attacker-controlled input — integrity-protect it, bind it to the principal,
 * give it a short expiry and tie it to the originating request). Nothing is stored server-side: the state
 * carries the answers so far, sealed with AES-256-GCM (src/lib/sealed-string.ts) under a key derived with
 * HKDF (info "mrtr") from the tool-secrets master key, so any instance with the same key — or this one
 * after a restart — opens it, and a master key rotated within the expiry still does (the key id travels
 * in the state). Format: `pmr1:<master key id>:<iv>:<ciphertext+tag>` (base64url).
 *
 * The additional authenticated data binds the ciphertext to the project and channel; the sealed payload
 * binds the rest — credential, tool, channel stamp, arguments, expiry — so opening can say which binding
 * failed (a tampered state and a state from elsewhere both simply fail to open).
 */
import { hkdfSync } from "node:crypto";
import { credentialId, type Principal } from "../../auth/principal";
import type { Channel } from "../../db/schema";
import { sha256 } from "../../lib/crypto";
import { seal, unseal, type SealingKeys } from "../../lib/sealed-string";
import { sealingKeys, type MasterKeys } from "../../oauth/key-seal";
import type { InputAnswer } from "../../tools/types";
import { JsonRpcError, RPC } from "../rpc-errors";

const PREFIX = "pmr1";
/** How long an answer round may take (the person thinks, the client retries). */
export const REQUEST_STATE_TTL_MS = 10 * 60_000;
/** Most answers one state carries: each round adds at most the questions a run may ask (ask-bridge.ts). */
export const MAX_STATE_ANSWERS = 64;

/** What a state is bound to: who asks, where, which tool at which revision, with which arguments. */
export interface StateBinding {
  principal: Principal;
  projectId: string;
  channel: Channel;
  /** The channel view's stamp (production version id or draft stamp): a state never outlives the tool it was made for. */
  stamp: string;
  tool: string;
  args: Record<string, unknown>;
}

/** The answers so far, and the digests of the questions the last round asked (only those may be answered next). */
export interface OpenState {
  answers: Record<string, InputAnswer>;
  asked: Record<string, string>;
}

interface Payload extends OpenState {
  v: 1;
  /** Digest of the credential; anonymous callers are bound by project, channel and stamp alone — never by IP. */
  sub: string;
  tool: string;
  stamp: string;
  /** Digest of the call's arguments: the answers of one call do not carry over to a call with other arguments. */
  args: string;
  exp: number;
}

/** The sealing key of one master key: HKDF-SHA256 with info "mrtr", so a state key is never a tool-secret key. */
function derive(master: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "mrtr", 32));
}

function stateKeys(master: MasterKeys): SealingKeys {
  const ring = sealingKeys(master, true);
  return {
    current: { id: ring.current.id, key: derive(ring.current.key) },
    byId: (id) => {
      const key = ring.byId(id);
      return key ? derive(key) : undefined;
    },
  };
}

const aad = (b: StateBinding) => `portico mrtr\0${b.projectId}\0${b.channel}`;
const subject = (p: Principal) => sha256(p.kind === "anonymous" ? "anonymous" : credentialId(p)).slice(0, 22);
const argsDigest = (args: Record<string, unknown>) => sha256(JSON.stringify(args)).slice(0, 22);

export function sealRequestState(master: MasterKeys, binding: StateBinding, state: OpenState, now: number): string {
  const payload: Payload = {
    v: 1,
    sub: subject(binding.principal),
    tool: binding.tool,
    stamp: binding.stamp,
    args: argsDigest(binding.args),
    exp: now + REQUEST_STATE_TTL_MS,
    answers: state.answers,
    asked: state.asked,
  };
  return seal(stateKeys(master), PREFIX, aad(binding), payload);
}

const refused = (why: string) => new JsonRpcError(RPC.INVALID_PARAMS, `Invalid params: requestState ${why}`);

/**
 * Opens a state presented on a retry, or throws -32602 saying why — without saying more than the caller
 * may know: a state that does not open is "not valid" whatever the reason; the owner check comes before
 * any detail about the tool or the expiry.
 */
export function openRequestState(master: MasterKeys, binding: StateBinding, stored: string, now: number): OpenState {
  const payload = stored.length > 0 && stored.length <= 1_000_000 ? unseal<Payload>(stateKeys(master), PREFIX, aad(binding), stored) : null;
  if (!payload || payload.v !== 1) throw refused("is not valid: it was changed, or it was not issued by this server for this project and channel.");
  if (payload.sub !== subject(binding.principal)) throw refused("was issued to another credential.");
  if (payload.tool !== binding.tool || payload.args !== argsDigest(binding.args)) {
    throw refused("belongs to another call: retry the same tool with the same arguments.");
  }
  if (payload.stamp !== binding.stamp) throw refused("is outdated: the tool changed since it asked. Call it again without requestState.");
  if (now > payload.exp) throw refused("expired (answers are kept 10 minutes). Call the tool again without requestState.");
  return { answers: payload.answers, asked: payload.asked };
}
