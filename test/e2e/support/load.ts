/**
 * A bounded mixed load against a real server, keeping the books the fault and soak tests check afterwards:
 * every tools/call carries a unique marker and is "acknowledged" only when a 200 result came back; every
 * revocation is acknowledged only when its 2xx came back. Credentials are the owner's API key, extra API
 * keys and OAuth grants (each from its own DCR client), so revocations hit both kinds.
 */
import { CookieJar } from "../../helpers";
import { obtainTokens, signIn, tokenCall, type TokenPair } from "./oauth";

export interface Credential {
  kind: "apikey" | "grant";
  /** The bearer sent on MCP requests (API key, or the grant's current access token). */
  bearer: string;
  /** API key id, for DELETE. */
  id?: string;
  /** OAuth: client id and current refresh token, for refresh and /oauth/revoke. */
  clientId?: string;
  refresh?: string;
  revoked?: boolean;
}

export interface Books {
  /** marker → Date.now() when its 200 arrived. */
  acknowledged: Map<string, number>;
  /** Credentials whose revocation was acknowledged. */
  revoked: Credential[];
  statuses: Map<number, number>;
  /** Transport failures (the server was killed, or refused the connection). */
  networkErrors: number;
  refreshes: number;
}

export function newBooks(): Books {
  return { acknowledged: new Map(), revoked: [], statuses: new Map(), networkErrors: 0, refreshes: 0 };
}

function count(books: Books, status: number) {
  books.statuses.set(status, (books.statuses.get(status) ?? 0) + 1);
}

export interface Target {
  base: string;
  mcpUrl: string;
  org: string;
  slug: string;
  ownerKey: string;
  email: string;
  password: string;
}

/** `keys` extra API keys (via the JSON API) and `grants` OAuth grants for the owner. */
export async function makeCredentials(t: Target, keys: number, grants: number): Promise<Credential[]> {
  const out: Credential[] = [];
  for (let i = 0; i < keys; i++) {
    const res = await fetch(`${t.base}/api/v1/projects/${t.org}/${t.slug}/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.ownerKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `load ${i}` }),
    });
    const { id, key } = (await res.json()) as { id: string; key: string };
    out.push({ kind: "apikey", bearer: key, id });
  }
  const jar: CookieJar = grants > 0 ? await signIn(t.base, t.email, t.password) : new CookieJar();
  for (let i = 0; i < grants; i++) {
    const tokens = await obtainTokens(t.base, jar, t.mcpUrl);
    out.push({ kind: "grant", bearer: tokens.access_token, clientId: tokens.clientId, refresh: tokens.refresh_token });
  }
  return out;
}

let nextMarker = 0;

/** The JSON-RPC response in a body that is either JSON or an SSE stream (script tools stream their log lines first). */
function rpcResult(text: string): unknown {
  if (text.startsWith("{")) return JSON.parse(text);
  const data = text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as { id?: unknown });
  return data.find((m) => m.id !== undefined);
}

/**
 * One tools/call with a fresh marker as `text` — `echo` (script tool, sandboxed) or `card` (interactive,
 * no sandbox: the cheap, high-volume path) — booked when acknowledged. Returns the HTTP status (0: network).
 */
export async function call(t: Target, books: Books, bearer: string, prefix = "m", tool: "echo" | "card" = "echo"): Promise<number> {
  const marker = `${prefix}-${process.pid}-${nextMarker++}`;
  try {
    const res = await fetch(t.mcpUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: { text: marker } } }),
    });
    count(books, res.status);
    if (res.status === 200) {
      const body = rpcResult(await res.text()) as { result?: { isError?: boolean; structuredContent?: unknown } } | undefined;
      if (body?.result && !body.result.isError && JSON.stringify(body.result.structuredContent).includes(marker)) books.acknowledged.set(marker, Date.now());
    } else await res.body?.cancel();
    return res.status;
  } catch {
    books.networkErrors++;
    return 0;
  }
}

/** Revokes an API key (DELETE) or a grant (RFC 7009 with its refresh token); books it when acknowledged. */
export async function revoke(t: Target, books: Books, c: Credential): Promise<boolean> {
  c.revoked = true;
  try {
    const res = c.kind === "apikey"
      ? await fetch(`${t.base}/api/v1/projects/${t.org}/${t.slug}/keys/${c.id}`, { method: "DELETE", headers: { authorization: `Bearer ${t.ownerKey}` } })
      : await fetch(`${t.base}/oauth/revoke`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ token: c.refresh!, client_id: c.clientId! }),
        });
    count(books, res.status);
    await res.body?.cancel();
    if (res.ok) books.revoked.push(c);
    return res.ok;
  } catch {
    books.networkErrors++;
    return false;
  }
}

/** Rotates a grant's tokens with its refresh token (the new pair replaces the old one). */
export async function refresh(t: Target, books: Books, c: Credential): Promise<number> {
  try {
    const res = await tokenCall(t.base, { grant_type: "refresh_token", refresh_token: c.refresh!, client_id: c.clientId! });
    count(books, res.status);
    if (res.status === 200) {
      const pair = (await res.json()) as TokenPair;
      c.bearer = pair.access_token;
      c.refresh = pair.refresh_token;
      books.refreshes++;
    } else await res.body?.cancel();
    return res.status;
  } catch {
    books.networkErrors++;
    return 0;
  }
}

/** Runs `workers` loops of `step` until `until()` says stop. */
export async function runWorkers(workers: number, until: () => boolean, step: (worker: number) => Promise<unknown>): Promise<void> {
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (!until()) await step(w);
  }));
}

/** Whether a credential is refused now (the MCP endpoint answers 401). */
export async function isRefused(t: Target, c: Credential): Promise<boolean> {
  const res = await fetch(t.mcpUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${c.bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  await res.body?.cancel();
  return res.status === 401;
}
