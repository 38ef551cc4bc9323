/** A tiny JSON API client for tests: session cookie + X-CSRF-Token, or an API key. */
import type { App } from "../../src/app";
import { req } from "../helpers";
import type { Member } from "../admin/fixtures";

export interface CallOptions {
  as?: Member;
  key?: string;
  body?: unknown;
  /** Override the CSRF header (null = omit it). */
  csrf?: string | null;
}

export async function call(app: App, method: string, path: string, o: CallOptions = {}): Promise<{ status: number; json: any; res: Response }> {
  const headers: Record<string, string> = {};
  if (o.as) {
    headers.cookie = o.as.cookie;
    const csrf = o.csrf === undefined ? o.as.csrf : o.csrf;
    if (csrf !== null) headers["x-csrf-token"] = csrf;
  }
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  if (o.body !== undefined) headers["content-type"] = "application/json";
  const res = await req(app, `/api/v1${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.clone().text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, res };
}
