/**
 * Server-Sent Events streams for Streamable HTTP (MCP 2025-11-25 §Transports): a POST's response stream
 * (notifications during a call, then its response) and a session's GET notification stream. Bun closes
 * connections idle for 10 s, so every stream disables that for its request and sends a comment every
 * KEEPALIVE_MS (docs/architecture.md: MCP transport rules); proxies see traffic and keep the connection open too.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export const KEEPALIVE_MS = 15_000;

const encoder = new TextEncoder();

/** Something that can lift Bun's idle timeout for one request (`server.timeout(request, 0)`). */
export interface TimeoutControl {
  timeout(request: Request, seconds: number): void;
}

export class SseStream {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private keepalive: ReturnType<typeof setInterval>;
  private nextEventId = 1;
  closed = false;
  readonly body: ReadableStream<Uint8Array>;

  constructor(
    /** Called once when the stream ends, by either side. */
    private readonly onClose: () => void = () => {},
    /** MCP 2026-07-28 removed resumability (SEP-2575): its streams carry no event ids. */
    private readonly eventIds = true,
  ) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        // Bun sends the response head with the first body chunk: a comment opens the stream at once.
        controller.enqueue(encoder.encode(": open\n\n"));
      },
      cancel: () => this.finish(),
    });
    this.keepalive = setInterval(() => this.write(": keepalive\n\n"), KEEPALIVE_MS);
  }

  /** The HTTP response carrying this stream; lifts Bun's idle timeout for it. */
  response(request: Request, server: TimeoutControl | null, headers: Record<string, string>): Response {
    server?.timeout(request, 0);
    return new Response(this.body, {
      headers: { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
    });
  }

  /** Sends one JSON-RPC message (an object, or JSON text already serialized). */
  send(message: JSONRPCMessage | string): void {
    const data = typeof message === "string" ? message : JSON.stringify(message);
    this.write(this.eventIds ? `id: ${this.nextEventId++}\nevent: message\ndata: ${data}\n\n` : `event: message\ndata: ${data}\n\n`);
  }

  /** Ends the stream from the server side. */
  close(): void {
    if (this.closed) return;
    try {
      this.controller.close();
    } catch {
      // Already closed by the client: nothing to flush.
    }
    this.finish();
  }

  private write(text: string): void {
    if (this.closed) return;
    try {
      this.controller.enqueue(encoder.encode(text));
    } catch {
      this.finish();
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    this.onClose();
  }
}
