/**
 * Signing a user in: credential check with per-IP and per-IP+email rate limits shared by every instance, and session rotation (docs/architecture.md: OAuth
 * rules — "session cookie … rotated at sign-in"): any session the browser already had is ended, a new one
 * with a new id and CSRF secret is created, and the pre-sign-in CSRF cookie is cleared so it is never reused.
 */
import type { Deps } from "../deps";
import type { User } from "../db/schema";
import { ValidationError } from "../errors";
import { clientIp } from "../http/client-ip";
import type { RateLimiter } from "../lib/rate-limit";
import { PRE_CSRF_COOKIE, SESSION_COOKIE, clearCookieHeader, cookieHeader, readCookie } from "./cookies";
import { hashPassword, verifyPassword } from "./passwords";
import { createSession, endSession, resolveSession } from "./sessions";
import { findUserByEmail } from "./users";

/** Sign-in attempts allowed per IP and email in one window. */
export const SIGN_IN_LIMIT = 10;
/** The rate-limit window for both sign-in limits. */
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
/** Attempts per IP across all emails in one window: slows password spraying without locking out an office. */
export const SIGN_IN_IP_LIMIT = 100;

/** One message for an unknown email and a wrong password, so the form does not reveal who has an account. */
export const BAD_CREDENTIALS = "Wrong email or password.";

type ServerLike = Parameters<typeof clientIp>[1];

/** Per-app state of the sign-in pages: the rate limiter and a dummy hash for constant-time misses. */
export class SignIn {
  readonly limiter: RateLimiter;
  readonly ipLimiter: RateLimiter;
  private dummyHash: Promise<string> | null = null;

  constructor(
    readonly deps: Deps,
    limits: { perEmail?: number; perIp?: number } = {},
  ) {
    // Exact and shared by every instance on the database (docs/architecture.md: Rate limits): a brute force
    // spread over instances meets one limit. Each attempt costs an argon2 verification; the upsert is noise.
    const what = "sign-in attempts";
    this.limiter = deps.rateLimits.exact({ name: "sign-in", limit: limits.perEmail ?? SIGN_IN_LIMIT, windowMs: SIGN_IN_WINDOW_MS, what });
    this.ipLimiter = deps.rateLimits.exact({ name: "sign-in-ip", limit: limits.perIp ?? SIGN_IN_IP_LIMIT, windowMs: SIGN_IN_WINDOW_MS, what });
  }

  ip(request: Request, server: ServerLike): string {
    return clientIp(request, server, this.deps.config.trustedProxy);
  }

  /**
   * Checks an email and password. Throws RateLimitError after too many attempts for this IP and email,
   * ValidationError(BAD_CREDENTIALS) otherwise; an unknown email still costs one argon2 verification.
   */
  async authenticate(request: Request, server: ServerLike, email: string, password: string): Promise<User> {
    const ip = this.ip(request, server);
    const key = `${ip}|${email.trim().toLowerCase()}`;
    try {
      const now = this.deps.clock.now();
      await this.ipLimiter.hit(ip, now);
      await this.limiter.hit(key, now);
    } catch (err) {
      this.deps.log.warn({ ip }, "sign-in rate limited");
      throw err;
    }
    const user = email ? (await findUserByEmail(this.deps.db, email)) : undefined;
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyPassword(password, await (this.dummyHash ??= hashPassword("portico-dummy-password"))), false);
    if (!user || !ok) {
      this.deps.log.info({ ip, userId: user?.id ?? null }, "sign-in refused: wrong email or password");
      throw new ValidationError(BAD_CREDENTIALS, [{ field: "password", message: BAD_CREDENTIALS }]);
    }
    await this.limiter.reset(key);
    return user;
  }

  /** Rotates the browser's session to a new one for `userId`; returns the Set-Cookie headers to send. */
  async startSession(request: Request, server: ServerLike, userId: string): Promise<string[]> {
    const previous = await resolveSession(this.deps, readCookie(request, SESSION_COOKIE));
    if (previous) await endSession(this.deps, previous.session.id, "replaced at sign-in");
    const { token, session } = await createSession(this.deps, userId, {
          ip: this.ip(request, server),
          userAgent: request.headers.get("user-agent"),
        });
    this.deps.log.info({ userId, sessionId: session.id, replaced: previous?.session.id ?? null }, "signed in");
    const publicUrl = this.deps.config.publicUrl;
    return [
      cookieHeader(SESSION_COOKIE, token, publicUrl, this.deps.config.sessionIdleTtl),
      clearCookieHeader(PRE_CSRF_COOKIE, publicUrl),
    ];
  }
}

