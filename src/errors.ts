/**
 * The error model's ground floor (docs/architecture.md, "Error model"). Every failure Portico means to
 * report is an `AppError`: an HTTP status, a stable machine code, a message that is always safe to show,
 * and the headers its response must carry. The protocol families build on it: `OAuthError` here (RFC 6749
 * §5.2; one class per code in `src/oauth/errors.ts`) and `JsonRpcError` in `src/mcp/rpc-errors.ts`.
 * Each face renders these in its own format from its own Elysia `onError` (`src/http/errors.ts` for
 * pages and the JSON API); anything that is not an AppError is logged and answered generically.
 */
export class AppError extends Error {
  /** HTTP status for this failure. */
  readonly status: number = 500;
  /** Stable machine-readable code (the JSON API problem's `error.code`). */
  readonly code: string = "internal";
  /** Headers the response must carry whatever its format (Retry-After, WWW-Authenticate, Location). */
  readonly headers: Record<string, string> = {};
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = "invalid_input";
}
export class UnauthenticatedError extends AppError {
  override readonly status = 401;
  override readonly code = "unauthenticated";
}
export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = "forbidden";
}
export class CsrfError extends AppError {
  override readonly status = 403;
  override readonly code = "csrf";
}
export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = "not_found";
}
export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly code = "conflict";
}
/** The data directory cannot be written (disk full, read-only, no permission): nothing the client did wrong. */
export class StorageUnavailableError extends AppError {
  override readonly status = 503;
  override readonly code = "storage_unavailable";
}

/** A 429 with `Retry-After` (RFC 9110 §10.2.3) and, when the limit is known, the RateLimit-* fields. */
export class RateLimitError extends AppError {
  override readonly status = 429;
  override readonly code = "rate_limited";
  override readonly headers: Record<string, string>;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit?: number,
  ) {
    super(message);
    this.headers = { "retry-after": String(retryAfterSeconds) };
    if (limit !== undefined) {
      this.headers["ratelimit-limit"] = String(limit);
      this.headers["ratelimit-remaining"] = "0";
      this.headers["ratelimit-reset"] = String(retryAfterSeconds);
    }
  }
}

/**
 * Not a failure but a detour: the request continues at `location` (303 See Other, RFC 9110 §15.4.4), e.g.
 * a page that needs a signed-in user. Every face answers it with the redirect.
 */
export class RedirectError extends AppError {
  override readonly status = 303;
  override readonly code = "see_other";
  override readonly headers: Record<string, string>;
  constructor(readonly location: string) {
    super("continue at another address");
    this.headers = { location };
  }
}

/** Turns a zod error into a ValidationError naming each bad field. */
export function fromZod(error: { issues: { path: PropertyKey[]; message: string }[] }): ValidationError {
  const details = error.issues.map((i) => ({ field: i.path.map(String).join(".") || "(body)", message: i.message }));
  const first = details[0];
  return new ValidationError(first ? `${first.field}: ${first.message}` : "invalid input", details);
}

/**
 * An RFC 6749 §5.2 / RFC 7591 §3.2.2 / RFC 7009 §2.2.1 / RFC 6750 §3.1 error: `code` is the wire `error`,
 * `message` the `error_description`; `headers` carries `WWW-Authenticate` where RFC 6750 §3 or RFC 6749
 * §5.2 (invalid_client after Basic) asks for it. Prefer the per-code classes in `src/oauth/errors.ts`.
 */
export class OAuthError extends AppError {
  override readonly code: string;
  override readonly status: number;
  override readonly headers: Record<string, string>;
  constructor(oauthCode: string, description: string, status = 400, headers: Record<string, string> = {}) {
    super(description);
    this.code = oauthCode;
    this.status = status;
    this.headers = headers;
  }

  /** The RFC 6749 §5.2 body. */
  body(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}

/** SQLite result codes that mean the data directory cannot take writes (full, read-only, I/O), not a bug. */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/;
/** Postgres out of reach: Bun's client codes, socket errors, SQLSTATE 08 (connection), 57P (shutting down), 53 (resources). */
const PG_CLIENT_CODES = /^(ERR_POSTGRES_(CONNECTION|.*_TIMEOUT|IDLE|LIFETIME|NOT_CONNECTED|.*CLOSED)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTCONN)/;
const PG_SQLSTATES = /^(08|57P|53)/;

/** Whether `error` (or what it wraps: drizzle wraps the driver's error as `cause`) says Postgres cannot be reached. */
export function postgresUnreachable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, errno } = e as { code?: unknown; errno?: unknown };
    if (typeof code === "string" && PG_CLIENT_CODES.test(code)) return true;
    if (typeof errno === "string" && PG_SQLSTATES.test(errno)) return true;
  }
  return false;
}

/**
 * What a face may tell the client about a thrown value: the AppError itself, a storage failure as a 503
 * with a plain message (the log keeps SQLite's own words), or null for anything else — which is logged
 * and must be answered generically, never with its `message`.
 */
export function knownError(error: unknown, log: ErrorLog, where: Record<string, unknown> = {}): AppError | null {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === "string" && STORAGE_CODES.test(code)) {
    log.error({ err: error, ...where }, "storage unavailable");
    return new StorageUnavailableError("Portico cannot write to its database right now (disk full or read-only data directory). Try again later.");
  }
  if (postgresUnreachable(error)) {
    log.error({ err: error, ...where }, "storage unavailable");
    return new StorageUnavailableError("Portico cannot reach its database right now. Try again later.");
  }
  log.error({ err: error, ...where }, "unhandled error");
  return null;
}

/** The one logger method the boundaries need (pino's, whose redaction keeps credentials out). */
export interface ErrorLog {
  error(fields: object, message: string): void;
}
