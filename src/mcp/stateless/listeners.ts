/**
 * Open `subscriptions/listen` streams (MCP 2026-07-28 §Subscriptions) held by this instance. Each is the
 * response stream of one request: nothing about it is needed by any other request (the world stays
 * stateless), it only has to be told what changed. A channel's `toolsChanged` reaches every listener of
 * that channel with the list_changed notifications it asked for, each tagged with its subscription id
 * (the listen request's JSON-RPC id). A listener ends when its grant, API key or approving sign-in
 * session is revoked, when its user leaves the org (its list narrows, with list_changed, when the role is
 * lowered), and at shutdown with the graceful completion result the spec asks for.
 */
import { credentialId, type Principal } from "../../auth/principal";
import type { Channel, Role } from "../../db/schema";
import type { EventBus } from "../../lib/events";
import type { RpcId } from "../rpc";
import { mayListen, type HeldCredential, type StreamHolder } from "../stream-credentials";
import type { SseStream } from "../sse";
import { META } from "./meta";

/** The notification filter a listener asked for and Portico agreed to (resource subscriptions are not offered). */
export interface ListenFilter {
  toolsListChanged?: true;
  promptsListChanged?: true;
  resourcesListChanged?: true;
}

export interface Listener {
  subscriptionId: RpcId;
  stream: SseStream;
  projectId: string;
  channel: Channel;
  credential: string;
  grantId: string | null;
  apiKeyId: string | null;
  loginSessionId: string | null;
  userId: string | null;
  orgId: string;
  role: Role | null;
  filter: ListenFilter;
}

const NOTIFICATION: Record<keyof ListenFilter, string> = {
  toolsListChanged: "notifications/tools/list_changed",
  promptsListChanged: "notifications/prompts/list_changed",
  resourcesListChanged: "notifications/resources/list_changed",
};

export function listenerOf(principal: Principal, target: { orgId: string; projectId: string; channel: Channel }, subscriptionId: RpcId, filter: ListenFilter, stream: SseStream): Listener {
  return {
    subscriptionId, stream, filter,
    projectId: target.projectId,
    channel: target.channel,
    orgId: target.orgId,
    credential: credentialId(principal),
    grantId: principal.kind === "user" ? principal.grantId : null,
    apiKeyId: principal.kind === "apikey" ? principal.apiKeyId : null,
    loginSessionId: principal.kind === "user" ? principal.sessionId : null,
    userId: principal.kind === "anonymous" ? null : principal.userId,
    role: principal.kind === "anonymous" ? null : principal.role,
  };
}

/** A notification on a listen stream: every message there carries the subscription id in `_meta`. */
export function tagged(method: string, subscriptionId: RpcId, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params: { ...params, _meta: { [META.subscriptionId]: subscriptionId } } });
}

export class Listeners implements StreamHolder {
  private readonly open = new Set<Listener>();
  private readonly unsubscribe: Array<() => void>;
  /** True once the listener is stopping: no new streams. */
  draining = false;

  constructor(bus: EventBus) {
    this.unsubscribe = [
      bus.on("toolsChanged", ({ projectId, channel }) => {
        for (const l of this.open) if (l.projectId === projectId && l.channel === channel) this.notify(l);
      }),
      bus.on("grantRevoked", ({ grantId }) => this.endWhere((l) => l.grantId === grantId)),
      bus.on("apiKeyRevoked", ({ apiKeyId }) => this.endWhere((l) => l.apiKeyId === apiKeyId)),
      bus.on("sessionEnded", ({ sessionId }) => this.endWhere((l) => l.loginSessionId === sessionId)),
    ];
  }

  add(l: Listener): void {
    this.open.add(l);
  }

  remove(l: Listener): void {
    this.open.delete(l);
  }

  /** Open listen streams of one project (checked when a stream opens, against the per-project cap). */
  of(projectId: string): number {
    let n = 0;
    for (const l of this.open) if (l.projectId === projectId) n++;
    return n;
  }

  get size(): number {
    return this.open.size;
  }

  /** Open listen streams of one credential on one project (an anonymous caller's credential is its address). */
  heldBy(projectId: string, credential: string): number {
    let n = 0;
    for (const l of this.open) if (l.projectId === projectId && l.credential === credential) n++;
    return n;
  }

  /**
   * A role lowered sends list_changed (the list narrowed); a user no longer a member, or whose role no longer
   * reads this channel (a developer demoted to viewer on draft), loses the stream.
   */
  checkRoles(roleOf: (orgId: string, userId: string) => Role | null): void {
    for (const l of [...this.open]) {
      if (l.userId === null) continue;
      const role = roleOf(l.orgId, l.userId);
      if (role === null || !mayListen(role, l.channel)) this.end(l);
      else if (role !== l.role) {
        l.role = role;
        this.notify(l);
      }
    }
  }

  /**
   * Ends every stream: at shutdown with the completion result (§Subscriptions "Graceful Closure": the
   * response to the listen request, tagged with its id) so clients know to reconnect elsewhere.
   */
  closeAll(): void {
    this.draining = true;
    for (const l of [...this.open]) {
      l.stream.send(JSON.stringify({ jsonrpc: "2.0", id: l.subscriptionId, result: { resultType: "complete", _meta: { [META.subscriptionId]: l.subscriptionId } } }));
      this.end(l);
    }
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.closeAll();
  }

  heldCredentials(): HeldCredential[] {
    return [...this.open];
  }

  endHeld(dead: (c: HeldCredential) => boolean): void {
    this.endWhere(dead);
  }

  private notify(l: Listener): void {
    for (const key of Object.keys(l.filter) as Array<keyof ListenFilter>) l.stream.send(tagged(NOTIFICATION[key], l.subscriptionId));
  }

  /** Revocation ends a stream abruptly (no completion result), so the client reconnects and meets the 401. */
  private end(l: Listener): void {
    this.open.delete(l);
    l.stream.close();
  }

  private endWhere(match: (l: Listener) => boolean): void {
    for (const l of [...this.open]) if (match(l)) this.end(l);
  }
}
