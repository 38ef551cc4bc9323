/** `portico serve` as a real process: the setup link on stderr (never in the JSON log), clean SIGTERM. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { resolve } from "node:path";
import { tempDir } from "../helpers";

// Real argon2 hashing, listeners and processes: slow on a loaded 2-core machine.
setDefaultTimeout(30_000);

const MAIN = resolve(import.meta.dir, "../../src/main.ts");

async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  while (!pattern.test(text)) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`stream ended without ${pattern}: ${text}`);
    text += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  return text;
}

describe("portico serve (process)", () => {
  test("on a fresh data dir prints the setup link on stderr, logs JSON without it, and stops on SIGTERM", async () => {
    const proc = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", "--data-dir", tempDir()], { stdout: "pipe", stderr: "pipe" });
    const err = await readUntil(proc.stderr, /setup\?token=\S+/);
    const link = /(http:\/\/\S+\/setup\?token=(\S+))/.exec(err)!;
    expect((await fetch(link[1]!)).status).toBe(200);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const out = await new Response(proc.stdout).text();
    const logs = out.trim().split("\n").map((l) => JSON.parse(l));
    expect(logs.map((l) => l.msg)).toContain("listening");
    expect(logs.map((l) => l.msg)).toContain("shutting down");
    expect(out).not.toContain(link[2]!);
  });

  test("a bad flag exits 2 with one line naming it", async () => {
    const proc = Bun.spawnSync([process.execPath, MAIN, "--port", "http"], { stdout: "pipe", stderr: "pipe" });
    expect(proc.exitCode).toBe(2);
    expect(proc.stderr.toString()).toMatch(/^portico serve: --port: .+\n$/);
  });
});
