/**
 * Signed audit heads (issue 18; src/audit/signing.ts, `portico audit head`, `portico audit verify --statement`):
 * a head signed earlier catches an attacker who edits a row and recomputes every later hash — which the chain
 * alone cannot — and keeps verifying after the OAuth keys are rotated and retired.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createPublicKey, verify } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonical, checkSignedHead, signProjectHead, type SignedHead } from "../../src/audit/signing";
import { pruneAudit } from "../../src/audit/retention";
import { updateProject } from "../../src/projects/projects";
import { startTestServer } from "../helpers";
import { call, ChainWorld, DAY, nthRowId, rechain, tamper } from "./chain-world";

const w = new ChainWorld();
afterEach(() => w.stop());

/** Seeds 20 calls, stops the app and signs the project's head with the CLI into a file. */
async function signedHead() {
  const s = await w.seeded();
  const cli = await w.cliOn(s.dataDir);
  const file = join(s.dataDir, "..", `head-${s.projectId}.json`);
  const r = await cli.run("audit", "head", "--project", `${s.orgSlug}/${s.projectSlug}`, "--out", file);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toContain("position 20");
  return { s, cli, file };
}

describe("signed audit heads", () => {
  test("an untouched log verifies against its signed head", async () => {
    const { cli, file } = await signedHead();
    const r = await cli.run("audit", "verify", "--statement", file);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain("✓ signature valid");
    expect(r.out).toContain("Nothing up to the signed head changed.");
  });

  test("attack: a row edited and every later hash recomputed passes the chain check but fails against the earlier signed head", async () => {
    const { s, cli, file } = await signedHead();
    const id = nthRowId(s.dataDir, s.projectId, 4);
    tamper(s.dataDir, (db) => db.run(`UPDATE audit_events SET output = '{"echo":"forged"}' WHERE id = ?`, [id]));
    rechain(s.dataDir, s.projectId);
    expect((await cli.run("audit", "verify", "--project", `${s.orgSlug}/${s.projectSlug}`)).code).toBe(0);
    const r = await cli.run("audit", "verify", "--statement", file, "--json");
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ signature: "valid", position: "differs", ok: false });
    expect(r.json.message).toContain("carries another hash than the signed one");
  });

  test("attack: the statement itself edited (an earlier position, another hash) no longer verifies", async () => {
    const { s, cli, file } = await signedHead();
    const signed = JSON.parse(readFileSync(file, "utf8")) as SignedHead;
    const forged = { ...signed, statement: { ...signed.statement, seq: 10, hash: "ab".repeat(32) } };
    writeFileSync(join(s.dataDir, "..", "forged.json"), JSON.stringify(forged));
    const r = await cli.run("audit", "verify", "--statement", join(s.dataDir, "..", "forged.json"), "--json");
    expect(r.code).toBe(1);
    expect(r.json.signature).toBe("invalid");
  });

  test("the statement still verifies with the published key after keys rotate --retire-previous", async () => {
    const { s, cli, file } = await signedHead();
    expect((await cli.run("keys", "rotate", "--retire-previous")).code).toBe(0);
    expect((await cli.run("keys", "rotate", "--retire-previous")).code).toBe(0);
    const r = await cli.run("audit", "verify", "--statement", file);
    expect(r.code, r.out).toBe(0);
    // Anyone can check the signature with the key the server publishes, without Portico.
    const server = await startTestServer({ dataDir: s.dataDir });
    try {
      const { keys } = (await (await fetch(`${server.url}/.well-known/portico-audit-keys`)).json()) as { keys: (JsonWebKey & { kid: string })[] };
      const signed = JSON.parse(readFileSync(file, "utf8")) as SignedHead;
      const jwk = keys.find((k) => k.kid === signed.statement.kid)!;
      expect(verify(null, canonical(signed.statement), createPublicKey({ key: jwk, format: "jwk" }), Buffer.from(signed.signature, "base64url"))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  test("after secrets rotate-key the audit key is re-sealed: heads are still signed, and old statements still verify", async () => {
    const { s, cli, file } = await signedHead();
    expect((await cli.run("secrets", "rotate-key")).code).toBe(0);
    const again = await cli.run("audit", "head", "--project", `${s.orgSlug}/${s.projectSlug}`, "--json");
    expect(again.code, again.err).toBe(0);
    expect(again.json.statement.kid).toBe((JSON.parse(readFileSync(file, "utf8")) as SignedHead).statement.kid);
    expect((await cli.run("audit", "verify", "--statement", file)).code).toBe(0);
  });

  test("a head at the retention checkpoint still verifies after pruning; one before it says its rows are gone", async () => {
    const s = await w.seeded(0);
    const deps = w.t!.deps;
    const old = Date.now() - 40 * DAY;
    const sign = () => signProjectHead(deps, s.projectId, "acme/p", deps.config.publicUrl);
    for (let i = 0; i < 5; i++) deps.audit.record(call(s.projectId, old + i, i));
    await deps.audit.flush();
    const atFive = await sign();
    for (let i = 5; i < 10; i++) deps.audit.record(call(s.projectId, old + i, i));
    await deps.audit.flush();
    const atTen = await sign();
    for (let i = 10; i < 20; i++) deps.audit.record(call(s.projectId, Date.now(), i));
    await deps.audit.flush();
    await updateProject(deps.db, s.projectId, { auditRetentionDays: 30 });
    expect(await pruneAudit(deps, Date.now())).toBe(10);
    expect(await checkSignedHead(deps.db, atTen)).toMatchObject({ signature: "valid", position: "matches", ok: true });
    const five = await checkSignedHead(deps.db, atFive);
    expect(five).toMatchObject({ signature: "valid", position: "pruned", ok: false });
    expect(five.message).toContain("pruned by retention");
  });
});
