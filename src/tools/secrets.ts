/**
 * Tool secrets (docs/architecture.md: Secrets): AES-256-GCM at rest, write-only (no function here returns a value
 * except `loadSecrets`, which only the runtime calls), never logged. Values are scoped per channel
 * (issue 11 #1): every function takes the channel explicitly, with no default, so no caller can reach
 * production values by forgetting to say which channel it means. The additional authenticated data binds
 * each ciphertext to its project, tool, name and channel, so rows cannot be swapped between tools or
 * moved from one channel to the other.
 */
import { transaction } from "../db/query";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { CHANNELS, type Channel, type toolSecrets } from "../db/schema";
import { systemClock, type Clock } from "../lib/clock";
import { keyId, loadKeyRing, newSecretKey, parseKey, stageKeyFile, type KeyRing } from "./secret-key";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The stored secrets were encrypted with a key this server does not have. */
export class SecretKeyMismatchError extends Error {
  constructor() {
    super("tool secrets cannot be decrypted: the secret key differs from the one they were saved with");
  }
}

type Row = typeof toolSecrets.$inferSelect;

/**
 * Production keeps the AAD every row had before channels existed (project\0tool\0name), so the rows the
 * migration moved to production still decrypt; draft rows add "\0draft", so a draft ciphertext copied
 * into a production row (or back) fails authentication instead of changing which value a channel sees.
 */
function aad(projectId: string, toolName: string, name: string, channel: Channel): Buffer {
  return Buffer.from(`${projectId}\0${toolName}\0${name}${channel === "draft" ? "\0draft" : ""}`);
}

/** The channel is part of the key and the AAD: refuse anything else rather than guess (fail closed). */
function checkChannel(channel: Channel): Channel {
  if (!(CHANNELS as readonly string[]).includes(channel)) throw new Error(`tool secrets: unknown channel ${String(channel)}`);
  return channel;
}

function encrypt(key: Buffer, projectId: string, toolName: string, name: string, channel: Channel, value: string): { ciphertext: Buffer; iv: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad(projectId, toolName, name, channel));
  const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext, iv };
}

function decrypt(key: Buffer, row: Row): string {
  const decipher = createDecipheriv("aes-256-gcm", key, row.iv);
  decipher.setAAD(aad(row.projectId, row.toolName, row.name, row.channel));
  decipher.setAuthTag(row.ciphertext.subarray(row.ciphertext.length - TAG_BYTES));
  return Buffer.concat([decipher.update(row.ciphertext.subarray(0, row.ciphertext.length - TAG_BYTES)), decipher.final()]).toString("utf8");
}

const forTool = (toolSecrets: Db["t"]["toolSecrets"], projectId: string, toolName: string, channel: Channel) =>
  and(eq(toolSecrets.projectId, projectId), eq(toolSecrets.toolName, toolName), eq(toolSecrets.channel, checkChannel(channel)));

/** Per-tool, per-channel encrypted secrets. The key ring is read on first use (and re-read if a CLI rotated it). */
export class SecretStore {
  private ring: KeyRing | null = null;

  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, "secretKey" | "dataDir">,
    /** `deps.clock` in the app; a store built on its own (tests) reads the system clock. */
    private readonly clock: Clock = systemClock,
  ) {}

  /** Loads the key (creating the key file on first start). */
  keys(): KeyRing {
    return (this.ring ??= loadKeyRing(this.config));
  }

  /** Saves (or replaces) one secret value of one channel. Who may write which channel is the caller's rule (src/services/secrets.ts). */
  async setSecret(projectId: string, toolName: string, name: string, value: string, channel: Channel): Promise<void> {
    const { toolSecrets } = this.db.t;
    const { current } = this.keys();
    const sealed = { ...encrypt(current.key, projectId, toolName, name, checkChannel(channel), value), keyId: current.id, updatedAt: this.clock.now() };
    await this.db
            .insert(toolSecrets)
            .values({ projectId, toolName, name, channel, ...sealed })
            .onConflictDoUpdate({ target: [toolSecrets.projectId, toolSecrets.toolName, toolSecrets.channel, toolSecrets.name], set: sealed });
  }

  /** Removes one secret value of one channel; false when it did not exist. */
  async deleteSecret(projectId: string, toolName: string, name: string, channel: Channel): Promise<boolean> {
    const { toolSecrets } = this.db.t;
    const gone = await this.db
          .delete(toolSecrets)
          .where(and(forTool(toolSecrets, projectId, toolName, channel), eq(toolSecrets.name, name)))
          .returning({ name: toolSecrets.name });
    return gone.length > 0;
  }

  /** The names of a tool's saved secrets on one channel (never their values), sorted. */
  async listSecretNames(projectId: string, toolName: string, channel: Channel): Promise<string[]> {
    const { toolSecrets } = this.db.t;
    return (await this.db
          .select({ name: toolSecrets.name })
          .from(toolSecrets)
          .where(forTool(toolSecrets, projectId, toolName, channel)))
      .map((r) => r.name)
      .sort();
  }

  /** Decrypted values of a tool's secrets on ONE channel, for the runtime only. Throws SecretKeyMismatchError. */
  async loadSecrets(projectId: string, toolName: string, channel: Channel): Promise<Record<string, string>> {
    const { toolSecrets } = this.db.t;
    const rows = await this.db.select().from(toolSecrets).where(forTool(toolSecrets, projectId, toolName, channel));
    const out: Record<string, string> = {};
    for (const row of rows) out[row.name] = decrypt(this.keyFor(row.keyId), row);
    return out;
  }

  private keyFor(id: string): Buffer {
    let key = this.keys().byId.get(id);
    if (!key) {
      // A CLI `secrets rotate-key` may have replaced the key file while we ran.
      this.ring = null;
      key = this.keys().byId.get(id);
    }
    if (!key) throw new SecretKeyMismatchError();
    return key;
  }

  /** Forgets the cached key ring (after a rotation in this process). */
  reload(): void {
    this.ring = null;
  }
}

/**
 * Re-encrypts every tool secret with `next` (a key or its base64; random if omitted) in one transaction. With a key file
 * the new key replaces it; with `PORTICO_SECRET_KEY` the caller must show `key` to the operator, who
 * sets it before the next start. Returns the new key (base64) and how many secrets were re-encrypted.
 */
export async function rotateSecretKey(deps: { db: Db; config: Pick<Config, "secretKey" | "dataDir">; clock: Clock }, next?: Buffer | string): Promise<{ key: string; rotated: number }> {
  const newKey = typeof next === "string" ? parseKey(next, "new-key") : (next ?? newSecretKey());
  const store = new SecretStore(deps.db, deps.config, deps.clock);
  const ring = store.keys();
  const now = deps.clock.now();
  const id = keyId(newKey);
  const staged = ring.source === "file" ? stageKeyFile(deps.config, newKey) : null;
  const rotated = await transaction(deps.db, async (tx) => {
      const { toolSecrets } = tx.t;
      const rows = await tx.select().from(toolSecrets);
      for (const row of rows) {
        const old = ring.byId.get(row.keyId);
        if (!old) throw new SecretKeyMismatchError();
        // Each row keeps its channel, and with it its AAD (production as before, draft with "\0draft").
        const sealed = encrypt(newKey, row.projectId, row.toolName, row.name, row.channel, decrypt(old, row));
        await tx.update(toolSecrets)
                  .set({ ...sealed, keyId: id, updatedAt: now })
                  .where(and(forTool(toolSecrets, row.projectId, row.toolName, row.channel), eq(toolSecrets.name, row.name)));
      }
      return rows.length;
    });
  staged?.commit();
  return { key: newKey.toString("base64"), rotated };
}

/** Values shorter than this are not redacted: replacing every "a" would destroy the output. */
const MIN_REDACT_LENGTH = 4;
export const REDACTED = "[redacted]";

/** Replaces every occurrence of a known secret value (raw or JSON-escaped) in `text`. */
export function redactSecrets(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) {
    if (v.length < MIN_REDACT_LENGTH) continue;
    out = out.split(v).join(REDACTED);
    const escaped = JSON.stringify(v).slice(1, -1);
    if (escaped !== v) out = out.split(escaped).join(REDACTED);
  }
  return out;
}

/** `redactSecrets` applied to every string inside a JSON value (object keys included). */
export function redactDeep<T>(value: T, values: readonly string[]): T {
  if (!values.some((v) => v.length >= MIN_REDACT_LENGTH)) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactSecrets(v, values);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactSecrets(k, values), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
