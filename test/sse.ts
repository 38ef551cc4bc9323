/** Reads a text/event-stream response's `data:` messages as they arrive (tests of GET and listen streams). */
export interface SseReader {
  messages: any[];
  /** True once the server ended the stream. */
  readonly ended: boolean;
  /** The first message matching `ok`, waiting up to `ms`. */
  until(ok: (m: any) => boolean, ms?: number): Promise<any>;
  /** Waits until `cond()` holds (new messages or the end wake it), up to `ms`; `what` names it in the timeout error. */
  waitFor(cond: () => boolean, what: string, ms?: number): Promise<void>;
  cancel(): Promise<void>;
}

export function sseMessages(res: Response): SseReader {
  const messages: any[] = [];
  let ended = false;
  const reader = res.body!.getReader();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const data = buffer.slice(0, cut).split("\n").find((l) => l.startsWith("data: "));
        buffer = buffer.slice(cut + 2);
        if (data) messages.push(JSON.parse(data.slice(6)));
      }
    }
    ended = true;
  })();
  const waitFor = async (cond: () => boolean, what: string, ms = 5000) => {
    const deadline = performance.now() + ms;
    while (!cond()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`);
      await Bun.sleep(25);
    }
  };
  return {
    messages,
    get ended() {
      return ended;
    },
    async until(ok, ms = 5000) {
      await waitFor(() => messages.some(ok), "a matching message", ms);
      return messages.find(ok);
    },
    waitFor,
    cancel: () => reader.cancel().catch(() => {}),
  };
}
