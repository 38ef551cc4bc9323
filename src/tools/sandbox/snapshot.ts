/**
 * A fresh context per call without building one per call (issue 19): the engine builds ONE runtime + context
 * with its globals, copies the wasm memory it lives in, and after every call copies it back, so each call
 * starts from a byte-identical context no script has touched — globals, prototypes, pending jobs, the
 * module registry, the atom table and malloc's own state included. Building and freeing a runtime + context
 * per call cost ≈ 150–200 µs of a ≈ 200–300 µs trivial call; the copy costs ≈ 3 µs
 * (test/bench/sandbox-snapshot.ts, sandbox-steps.ts).
 *
 * What is copied follows this build's memory layout (emscripten, not stack-first; measured by the non-zero
 * pages after load): static data and bss from address 0, then the 5 MB C stack growing down, then the
 * heap. Restored are the first run of used pages (data + bss) with a margin, and the heap from its first
 * used page up to the snapshot's last — heap a call used above that is free again once malloc's state is
 * rewound. The C stack is not copied: between calls nothing lives on it. `take` refuses a layout it does
 * not recognise, so a QuickJS upgrade that changes it fails loudly (every sandbox test) instead of leaking.
 *
 * The host side of quickjs-emscripten keeps one piece of state per runtime that the copy must match: the
 * table of host functions (`hostRefs`), whose entries the call's new functions added; it is rewound too.
 * Handles made during a call are never disposed — they point into memory the restore rewinds.
 */
import type { QuickJSRuntime } from "quickjs-emscripten-core";

const PAGE = 4096;
/** Zero pages after the static data that are restored too: bss still all zero when the snapshot is taken. */
const BSS_MARGIN = 64 * 1024;

/** quickjs-emscripten's table of host functions by id (`QuickJSRuntime#hostRefs`, not in its types). */
interface HostRefTable {
  nextId: number;
  freelist: number[];
  groups: Map<number, Map<number, unknown>>;
}

/** Runs of pages with a non-zero byte, as [start, end) byte offsets. */
export function usedRuns(memory: WebAssembly.Memory): Array<[number, number]> {
  const words = new Uint32Array(memory.buffer);
  const perPage = PAGE / 4;
  const pages = words.length / perPage;
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let p = 0; p <= pages; p++) {
    let used = false;
    if (p < pages) {
      for (let w = p * perPage, end = w + perPage; w < end; w++) {
        if (words[w] !== 0) {
          used = true;
          break;
        }
      }
    }
    if (used && start < 0) start = p;
    if (!used && start >= 0) {
      runs.push([start * PAGE, p * PAGE]);
      start = -1;
    }
  }
  return runs;
}

/** The C stack between data and heap is at least this large (5 MB in this build). */
const MIN_STACK_GAP = 1024 * 1024;

/**
 * Where data + bss end and the heap starts, from the runs of used pages: everything below the first gap of
 * at least MIN_STACK_GAP is static data (restored with BSS_MARGIN more), everything above it is heap (up to
 * its last used page). Throws on any other shape: no data at address 0, or no such gap.
 */
export function layout(runs: Array<[number, number]>): { dataEnd: number; heapStart: number; heapEnd: number } {
  const gap = runs.findIndex((run, i) => i > 0 && run[0] - runs[i - 1]![1] >= MIN_STACK_GAP);
  if (runs.length < 2 || runs[0]![0] !== 0 || gap < 0) throw new Error("unexpected QuickJS memory layout: cannot snapshot the sandbox context");
  const heapStart = runs[gap]![0];
  return { dataEnd: Math.min(runs[gap - 1]![1] + BSS_MARGIN, heapStart), heapStart, heapEnd: runs.at(-1)![1] };
}

const copyRefs = (t: HostRefTable) => ({ nextId: t.nextId, freelist: [...t.freelist], groups: new Map([...t.groups].map(([k, g]) => [k, new Map(g)])) });

export class MemorySnapshot {
  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly data: Uint8Array,
    private readonly heapStart: number,
    private readonly heap: Uint8Array,
    private readonly table: HostRefTable,
    private readonly refs: ReturnType<typeof copyRefs>,
  ) {}

  /** Copies the memory of a runtime whose context is built and idle (no call running). */
  static take(memory: WebAssembly.Memory, rt: QuickJSRuntime): MemorySnapshot {
    const { dataEnd, heapStart, heapEnd } = layout(usedRuns(memory));
    const table = (rt as unknown as { hostRefs?: HostRefTable }).hostRefs;
    if (!table || !(table.groups instanceof Map) || !Array.isArray(table.freelist)) throw new Error("unexpected quickjs-emscripten runtime: no host reference table");
    return new MemorySnapshot(
      memory,
      new Uint8Array(memory.buffer, 0, dataEnd).slice(),
      heapStart,
      new Uint8Array(memory.buffer, heapStart, heapEnd - heapStart).slice(),
      table,
      copyRefs(table),
    );
  }

  /** Bytes copied back per call. */
  get bytes(): number {
    return this.data.length + this.heap.length;
  }

  /** Puts the context back as it was when the snapshot was taken. */
  restore(): void {
    const u8 = new Uint8Array(this.memory.buffer);
    u8.set(this.data, 0);
    u8.set(this.heap, this.heapStart);
    const fresh = copyRefs(this.refs);
    this.table.nextId = fresh.nextId;
    this.table.freelist = fresh.freelist;
    this.table.groups = fresh.groups;
  }
}
