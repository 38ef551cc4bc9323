/**
 * Token refresh under load, through wrk (wrk/refresh.lua). Rotation means each refresh needs the token
 * the previous one returned, so load is a closed loop: one chain (one grant) per wrk thread, each with
 * one connection, refreshing back to back for `seconds`.
 */
import type { TokenPair } from "./oauth-flow";
import { runWrk } from "./wrk";

export interface RefreshResult {
  rps: number;
  total: number;
  failed: number;
  p50: number;
  p99: number;
  chains: number;
  errors: number;
  clientBusy: number;
}

export async function refreshLoop(base: string, clientId: string, pairs: TokenPair[], seconds: number): Promise<RefreshResult> {
  const run = await runWrk({
    script: "refresh.lua", url: `${base}/oauth/token`, seconds, threads: pairs.length, connections: pairs.length,
    args: [`client=${clientId}`, ...pairs.map((p) => `token=${p.refresh_token}`)],
  });
  const ok = run.counts.ok ?? 0;
  return {
    rps: ok / run.seconds, total: ok, failed: run.counts.failed ?? 0, p50: run.p50, p99: run.p99, chains: pairs.length,
    errors: run.errors + run.timeouts + run.inFlight, clientBusy: run.clientBusy,
  };
}
