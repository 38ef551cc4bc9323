/**
 * In-process events between domains, so faces stay decoupled: publish/edit → `toolsChanged` (MCP sends
 * `notifications/tools/list_changed`), revocations → `grantRevoked`/`sessionEnded` (MCP closes streams).
 * Each event is also announced to the change feed once its listeners ran, so caches hear of the write at
 * once and know which area it touched (docs/architecture.md, "Change feed"); the feed, not the bus, is
 * how changes made by other processes arrive.
 */
import type { Channel } from "../db/schema";
import type { ChangeFeed, Topic } from "./change-feed";

export interface EventMap {
  toolsChanged: { projectId: string; channel: Channel };
  grantRevoked: { grantId: string };
  apiKeyRevoked: { apiKeyId: string };
  sessionEnded: { sessionId: string };
}

/** The change-feed topic each event's write belongs to. */
const TOPIC: { [K in keyof EventMap]: Topic } = { toolsChanged: "tools", grantRevoked: "grants", apiKeyRevoked: "apikeys", sessionEnded: "sessions" };

type Listener<K extends keyof EventMap> = (event: EventMap[K]) => void;

export class EventBus {
  private listeners = new Map<keyof EventMap, Set<(event: never) => void>>();

  /** `feed`: where emitted events are announced (none for a bare bus, as tests build one). */
  constructor(private readonly feed?: ChangeFeed) {}

  on<K extends keyof EventMap>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof EventMap>(name: K, event: EventMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as Listener<K>)(event);
    // After the listeners: a feed subscriber then finds this process's own view already up to date.
    this.feed?.announce([TOPIC[name]]);
  }
}
