/**
 * GET and DELETE on a channel URL (Streamable HTTP §Listening for Messages, §Session Management):
 * GET opens the session's notification stream (list_changed after edits and publishes); DELETE ends
 * the session, after which its id answers 404. Refusals are thrown, like the guard's.
 */
import { messagePage } from "../web/layout";
import type { McpDeps } from "./context";
import { guard, refusal, type RouteInput } from "./guard";
import { RPC } from "./rpc-errors";
import type { McpService } from "./service";
import { SseStream } from "./sse";
import { STATELESS_VERSION } from "./stateless/meta";

/** MCP 2026-07-28 removed the GET stream and sessions (SEP-2575): its clients POST subscriptions/listen. */
function refuseStateless(input: RouteInput): void {
  if (input.request.headers.get("mcp-protocol-version")?.trim() !== STATELESS_VERSION) return;
  throw refusal(405, RPC.INVALID_REQUEST, `Method Not Allowed: MCP ${STATELESS_VERSION} has no GET stream and no sessions; POST subscriptions/listen for notifications.`, { allow: "POST, OPTIONS" });
}

const NEEDS_SESSION = "Bad Request: send the Mcp-Session-Id header returned by initialize.";

/** A person who opened the MCP URL in a browser gets words, not a JSON-RPC error. */
function browserPage(): Response {
  return messagePage(
    "This is an MCP server address",
    "Paste this URL into your AI host (for example as a custom connector in Claude or ChatGPT); it will ask you to sign in to Portico.",
    200,
  );
}

export async function handleGet(deps: McpDeps, service: McpService, input: RouteInput): Promise<Response> {
  const accept = input.request.headers.get("accept") ?? "";
  if (accept.includes("text/html") && !accept.includes("text/event-stream")) return browserPage();
  refuseStateless(input);
  const g = await guard(deps, service, input);
  if (!(input.request.headers.get("accept") ?? "").includes("text/event-stream")) {
    throw refusal(406, RPC.INVALID_REQUEST, "Not Acceptable: the GET stream is text/event-stream.");
  }
  const session = g.session;
  if (!session) throw refusal(400, RPC.INVALID_REQUEST, NEEDS_SESSION);
  if (service.sessions.draining) throw refusal(503, RPC.INVALID_REQUEST, "The server is shutting down.", { "retry-after": "5" });
  // The project's stream cap counts 2026 listen streams too (one cap for both worlds).
  const full = service.sessions.streamsOfSession(session.id).size === 0 && service.sessions.streamsOf(g.project.id) + service.listeners.of(g.project.id) >= deps.config.maxStreamsPerProject;
  const stream = full ? null : service.sessions.openStream(session, (onClose) => new SseStream(onClose));
  if (!stream) {
    // Issue 11 #16/#19: the project's open streams are capped (config max-streams-per-project).
    throw refusal(429, RPC.RATE_LIMITED, "Too many open notification streams on this project; close one or try again later.", { "retry-after": "30" });
  }
  return stream.response(input.request, input.server, { ...g.headers, "mcp-session-id": session.id });
}

export async function handleDelete(deps: McpDeps, service: McpService, input: RouteInput): Promise<Response> {
  refuseStateless(input);
  const g = await guard(deps, service, input);
  if (!g.session) throw refusal(400, RPC.INVALID_REQUEST, NEEDS_SESSION);
  await service.sessions.end(g.session.id);
  return new Response(null, { status: 200, headers: g.headers });
}
