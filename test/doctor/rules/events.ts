/** Small builders for the rules' unit tests: events newest first, a client context, a project context. */
import type { DoctorEvent } from "../../../src/doctor/report";
import type { ClientContext, GrantFacts, ProjectContext } from "../../../src/doctor/rules";

export const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
export const MIN = 60_000;
let nextId = 1;

/** An event `minutesAgo` before NOW. */
export function ev(step: string, outcome: "ok" | "fail", minutesAgo: number, detail: DoctorEvent["detail"] = {}, reason: string | null = null): DoctorEvent {
  return { id: nextId++, time: NOW - minutesAgo * MIN, step, outcome, reason, detail };
}

const URLS = { production: "https://portico.example/acme/shop", draft: "https://portico.example/acme/shop/draft" };

/** A client context; `events` in any order (sorted newest first here, as the service gives them). */
export function client(events: DoctorEvent[], extra: Partial<ClientContext> = {}): ClientContext {
  return {
    now: NOW,
    publicUrl: "https://portico.example",
    urls: URLS,
    clientId: "cli_1",
    name: "Claude",
    events: [...events].sort((a, b) => b.time - a.time || b.id - a.id),
    grants: [],
    unauthenticated: [],
    ...extra,
  };
}

export function project(events: DoctorEvent[], extra: Partial<ProjectContext> = {}): ProjectContext {
  return { now: NOW, publicUrl: "https://portico.example", urls: URLS, events: [...events].sort((a, b) => b.time - a.time), ...extra };
}

export function grant(extra: Partial<GrantFacts> = {}): GrantFacts {
  return { id: "gr_1", channel: "production", revokedAt: null, revokedReason: null, lastUsedAt: null, createdAt: NOW - 60 * MIN, ...extra };
}
