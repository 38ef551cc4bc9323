/** A change-feed child process (pg-change-feed-child.ts) driven line by line: commands in, JSON lines out. */
import type { Subprocess } from "bun";
import { resolve } from "node:path";

const CHILD = resolve(import.meta.dir, "pg-change-feed-child.ts");

export interface ChildLine {
  ready?: string;
  change?: { version: number; topics: string[] | null };
  waited?: number;
  failed?: string;
}

export class FeedProcess {
  private lines: ChildLine[] = [];
  private waiting: Array<() => void> = [];
  private ended = false;
  readonly proc: Subprocess<"pipe", "pipe", "inherit">;
  instanceId = "";

  constructor(url: string, opts: { marker?: string; delayMs?: number } = {}) {
    this.proc = Bun.spawn([process.execPath, CHILD, url, opts.marker ?? "", String(opts.delayMs ?? 0)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    void this.read();
  }

  private async read(): Promise<void> {
    let buffered = "";
    for await (const chunk of this.proc.stdout) {
      buffered += new TextDecoder().decode(chunk);
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        this.lines.push(JSON.parse(buffered.slice(0, nl)) as ChildLine);
        buffered = buffered.slice(nl + 1);
      }
      for (const wake of this.waiting.splice(0)) wake();
    }
    this.ended = true;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** The first line (from the start) matching `pick`, removed; throws after `timeoutMs`. */
  async next<T>(pick: (line: ChildLine) => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const at = this.lines.findIndex((l) => pick(l) !== undefined);
      if (at >= 0) return pick(this.lines.splice(at, 1)[0]!)!;
      if (this.ended) throw new Error("the feed process ended");
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no matching line within ${timeoutMs} ms; have ${JSON.stringify(this.lines)}`);
      await Promise.race([new Promise<void>((r) => this.waiting.push(r)), Bun.sleep(left)]);
    }
  }

  /** Resolves once the child's feed has started (listening, registered as live). */
  async ready(): Promise<this> {
    this.instanceId = await this.next((l) => l.ready);
    return this;
  }

  /** Lines heard so far that match, without removing them. */
  seen<T>(pick: (line: ChildLine) => T | undefined): T[] {
    return this.lines.map(pick).filter((v): v is T => v !== undefined);
  }

  send(command: string): void {
    void this.proc.stdin.write(command + "\n");
    void this.proc.stdin.flush();
  }

  async exit(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode) return;
    this.send("exit");
    await Promise.race([this.proc.exited, Bun.sleep(3000)]);
    this.proc.kill("SIGKILL");
  }
}
