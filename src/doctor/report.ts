/**
 * The connection doctor's report (docs/architecture.md: Connection doctor): what every face shows — the Server
 * page, `GET …/doctor` in the JSON API, the `portico_diagnose_connections` management tool and `portico doctor`.
 * One shape so the four say the same thing. Ids, hash prefixes, outcomes and timings only; never a credential.
 */

/** How bad a finding is: `error` — the host cannot connect; `warning` — it will fail for some hosts or later; `info` — worth knowing. */
export type FindingSeverity = "error" | "warning" | "info";

/** One plain-word diagnosis, produced by a rule (src/doctor/rules) over a client's events. */
export interface Finding {
  /** Stable name of the rule, e.g. `token-never-used`, `public-url-scheme-mismatch`. */
  id: string;
  severity: FindingSeverity;
  /** What is wrong, in a sentence a non-expert understands. */
  title: string;
  /** What to do about it, in plain words (may name a setting, a URL to paste, or "reconnect in the host"). */
  fix: string;
  /** The newest event the finding rests on (epoch ms), so findings can be ordered newest first. */
  at: number;
}

/** One recorded handshake step as the faces show it (a row of `handshake_events`). */
export interface DoctorEvent {
  id: number;
  time: number;
  step: string;
  outcome: "ok" | "fail";
  /** Plain words or an OAuth/HTTP error code with its reason; never a credential. */
  reason: string | null;
  /** Free-form, credential-free details of the step (path asked for, channel, status, revision, timing…). */
  detail: Record<string, string | number | boolean | null>;
}

/** Everything the doctor knows about one client (an OAuth client id, or `null` for steps no client was named in). */
export interface ClientReport {
  clientId: string | null;
  /** The client's display name (from its registration or metadata document), else the client id. */
  name: string;
  lastSeen: number;
  /** The MCP revision the client last spoke, when it made an authenticated call. */
  protocolVersion: string | null;
  /** Newest first. */
  events: DoctorEvent[];
  /** Newest first. */
  findings: Finding[];
}

/** One line of the self-check: the server fetching its own public metadata as a host would. */
export interface SelfCheckItem {
  id: string;
  ok: boolean;
  /** What was checked, in plain words. */
  title: string;
  /** What was found (the URL fetched, the value seen) and, when not ok, how to fix it. */
  detail: string;
}

export interface DoctorReport {
  org: string;
  project: string;
  /** The public URL the server advertises (PORTICO_PUBLIC_URL or the configured one). */
  publicUrl: string;
  /** Findings about the project's setup rather than one client (e.g. a non-443 public port). */
  projectFindings: Finding[];
  /** Newest activity first. */
  clients: ClientReport[];
}
