/**
 * Token refresh under load. Rotation means each refresh needs the token the previous one returned, so
 * load is a closed loop: a few chains (one grant each) refreshing back to back, bounded in time and count.
 */
import { refresh, type TokenPair } from "./oauth-flow";

export interface RefreshResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  chains: number;
}

/** Per chain: stop after this many refreshes even if time remains. */
const MAX_PER_CHAIN = 100_000;

export async function refreshLoop(base: string, clientId: string, pairs: TokenPair[], seconds: number): Promise<RefreshResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const chain = async (pair: TokenPair) => {
    let token = pair.refresh_token;
    for (let i = 0; i < MAX_PER_CHAIN && performance.now() < deadline; i++) {
      const t = performance.now();
      token = (await refresh(base, clientId, token)).refresh_token;
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(pairs.map(chain));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { rps: latencies.length / elapsed, total: latencies.length, p50: at(50), p99: at(99), chains: pairs.length };
}
