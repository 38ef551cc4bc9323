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
  private listeners = new Map<keyof EventMap, Set<(event: never) => void>>();

  on<K extends keyof EventMap>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof EventMap>(name: K, event: EventMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as Listener<K>)(event);
  }
}
