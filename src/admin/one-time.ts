/**
 * One-time notices that survive a POST/redirect/GET (issue 16 #7): a new API key's secret or an invite link
 * is held here, server-side, for the session that made it, and the page after the redirect takes it once.
 * The redirect carries only a random handle, never the secret (URLs end up in history, logs and Referer);
 * a reload finds the handle spent and shows the page without it — and creates nothing. Held in this
 * process's memory for a few minutes: a restart between the POST and the GET loses the notice, never the key
 * (it can be revoked and made again). Behind several instances the redirect must reach the same one
 * (docs/architecture.md "Several instances" — sticky sessions), or the notice is not shown.
 */
import type { Deps } from "../deps";
import { newToken } from "../lib/ids";

/** How long the page after the redirect has to pick the notice up. */
const TTL_MS = 5 * 60 * 1000;
/** A bound on what one process holds, so a flood of creations cannot grow memory without limit. */
const MAX_HELD = 1000;

interface Held {
  sessionId: string;
  kind: string;
  value: unknown;
  expiresAt: number;
}

const stores = new WeakMap<Deps, Map<string, Held>>();

function storeOf(deps: Deps): Map<string, Held> {
  let store = stores.get(deps);
  if (!store) stores.set(deps, (store = new Map()));
  return store;
}

/** Holds `value` for `sessionId` and returns the handle to put in the redirect. */
export function holdOnce(deps: Deps, sessionId: string, kind: string, value: unknown): string {
  const store = storeOf(deps);
  const now = deps.clock.now();
  for (const [handle, held] of store) if (held.expiresAt <= now) store.delete(handle);
  while (store.size >= MAX_HELD) store.delete(store.keys().next().value as string);
  const handle = newToken("once_");
  store.set(handle, { sessionId, kind, value, expiresAt: now + TTL_MS });
  return handle;
}

/** The value held under `handle` for this session and kind, removed as it is read; null when spent or not theirs. */
export function takeOnce<T>(deps: Deps, sessionId: string, kind: string, handle: string | null): T | null {
  if (!handle) return null;
  const store = storeOf(deps);
  const held = store.get(handle);
  if (!held || held.sessionId !== sessionId || held.kind !== kind) return null;
  store.delete(handle);
  return held.expiresAt > deps.clock.now() ? (held.value as T) : null;
}
