/**
 * In-process events between domains, so faces stay decoupled: publish/edit → `toolsChanged` (MCP sends
 * `notifications/tools/list_changed`), revocations → `grantRevoked`/`sessionEnded` (MCP closes streams).
 */
import type { Channel } from "../db/schema";

export interface EventMap {
  toolsChanged: { projectId: string; channel: Channel };
  grantRevoked: { grantId: string };
  apiKeyRevoked: { apiKeyId: string };
  sessionEnded: { sessionId: string };
}

type Listener<K extends keyof EventMap> = (event: EventMap[K]) => void;

export class EventBus {
  private listeners: { [K in keyof EventMap]?: Set<Listener<K>> } = {};

  on<K extends keyof EventMap>(name: K, listener: Listener<K>): () => void {
    const set = (this.listeners[name] ??= new Set()) as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof EventMap>(name: K, event: EventMap[K]): void {
    for (const listener of (this.listeners[name] ?? []) as Set<Listener<K>>) listener(event);
  }
}
