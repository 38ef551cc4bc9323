/**
 * The answer to one POST on an MCP endpoint (MCP 2025-11-25 §Transports, "Sending Messages to the
 * Server"): JSON unless the request may stream and a notification (progress, logging) arrives before the
 * result, in which case it becomes an SSE stream carrying the notifications and then the result. Plain
 * calls stay JSON, so they never pay for a stream. The endpoint builds one Reply, runs the request, then
 * `finish`es or `fail`s it; `toResponse()` is what the route returns, settled as soon as the first byte
 * can go out (the SSE head at the first notification, otherwise the whole JSON body).
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { SseStream, type TimeoutControl } from "./sse";

export class Reply {
  private readonly headers: Record<string, string>;
  private readonly settled = Promise.withResolvers<Response>();
  private sse: SseStream | null = null;

  constructor(
    private readonly http: { request: Request; server: TimeoutControl | null },
    headers: Record<string, string>,
    /** True when notifications may switch this reply to SSE (a lone tools/call whose client accepts text/event-stream). */
    readonly canStream: boolean,
  ) {
    this.headers = { ...headers };
  }

  /** Adds a response header (Mcp-Session-Id once initialize made a session); ignored once streaming began. */
  setHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  /** Sends a notification about the running request; the first one opens the SSE stream. Dropped if it cannot stream. */
  readonly notify = (message: JSONRPCMessage): void => {
    if (!this.canStream) return;
    if (!this.sse) {
      this.sse = new SseStream();
      this.settled.resolve(this.sse.response(this.http.request, this.http.server, this.headers));
    }
    this.sse.send(message);
  };

  /** Ends with serialized JSON-RPC text: the JSON body (with `status`), or the stream's last event. */
  finish(text: string, status = 200, extra: Record<string, string> = {}): void {
    if (this.sse) {
      this.sse.send(text);
      this.sse.close();
      return;
    }
    this.settled.resolve(new Response(text, { status, headers: { ...this.headers, ...extra, "content-type": "application/json" } }));
  }

  /** Ends without a body: the POST carried only notifications or responses (202 Accepted). */
  accepted(): void {
    this.settled.resolve(new Response(null, { status: 202, headers: this.headers }));
  }

  /**
   * Ends with a failure of the whole HTTP request (an OAuth step-up thrown mid-call): `toResponse()`
   * throws it for the plugin's onError while nothing was sent; once streaming, the stream just closes.
   */
  fail(error: unknown): void {
    if (this.sse) this.sse.close();
    else this.settled.reject(error);
  }

  /** The HTTP response, once it can start. */
  toResponse(): Promise<Response> {
    return this.settled.promise;
  }
}
