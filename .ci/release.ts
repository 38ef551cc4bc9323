#!/usr/bin/env bun
/**
 * `npm run release` (issue 12): one self-contained `portico` executable per platform, built with
 * `bun build --compile --target=…` (Bun fetches each target's runtime from the npm registry), the version
 * and git commit baked in (src/build-info.ts), into dist/release/ with:
 *   SHA256SUMS          `sha256sum -c` format
 *   SHA256SUMS.sig      raw Ed25519 signature of SHA256SUMS (`openssl pkeyutl -verify -rawin …`)
 *   portico.cdx.json    CycloneDX SBOM of the runtime dependencies (.ci/sbom.ts: why not `npm sbom`)
 * Nothing of it is committed. The signing key is the maintainer's and never lives in the repository: pass it
 * with `--key FILE` or PORTICO_RELEASE_KEY=FILE (PEM, Ed25519); its public half is
 * deploy/release-signing-key.pub. `--ephemeral-key` signs with a throwaway key instead (CI's smoke test of
 * the signing path), and `--keygen DIR` makes a new key pair.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { cycloneDx } from "./sbom";

const ROOT = resolve(import.meta.dir, "..");
export const TARGETS = {
  "linux-x64": "bun-linux-x64",
  "linux-arm64": "bun-linux-arm64",
  "darwin-arm64": "bun-darwin-arm64",
  "darwin-x64": "bun-darwin-x64",
  "windows-x64": "bun-windows-x64",
} as const;
type Target = keyof typeof TARGETS;
const PUBLIC_KEY_FILE = join(ROOT, "deploy/release-signing-key.pub");

const HELP = `npm run release -- [flags]

Builds portico for ${Object.keys(TARGETS).join(", ")} into dist/release/ with SHA256SUMS, its Ed25519
signature SHA256SUMS.sig and a CycloneDX SBOM (portico.cdx.json).

Flags:
  --targets a,b        only these targets (default: all five)
  --out DIR            output folder (default dist/release; emptied first)
  --key FILE           the maintainer's Ed25519 private key (PEM); or PORTICO_RELEASE_KEY=FILE
  --ephemeral-key      sign with a throwaway key and write its public half as release-test-key.pub (CI)
  --unsigned           write no signature (say so loudly)
  --keygen DIR         write a new key pair (portico-release.key 0600, portico-release.pub) and exit
  --json               print the result as JSON on stdout
  --help               this help`;

const say = (t: string) => process.stderr.write(t + "\n");
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function keygen(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const priv = join(dir, "portico-release.key");
  const pub = join(dir, "portico-release.pub");
  if (existsSync(priv)) throw new Error(`${priv} exists; refusing to overwrite a signing key`);
  writeFileSync(priv, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(pub, publicKey.export({ type: "spki", format: "pem" }));
  say(`Wrote ${priv} (keep it offline, e.g. in a password manager or on a hardware token; never commit it)`);
  say(`Wrote ${pub}: copy it to deploy/release-signing-key.pub and into the README, then commit that.`);
}

function git(...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: ROOT, stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "";
}

function build(target: Target, outDir: string): string {
  const file = join(outDir, `portico-${target}${target.startsWith("windows") ? ".exe" : ""}`);
  // --bytecode: precompiled JS, faster start (FACTS: --help 164 → 65 ms). No --sourcemap: it would write a
  // stray .map file beside each binary (and one per chunk). The start-up flags of `npm run build` — chunks
  // loaded on first import, bytecode laid out by a recorded start, JIT thresholds scaled until the server
  // listens (docs/architecture.md: Measured facts, "Cold start") — hold for every target: the order file
  // matches functions by a hash of their syntax.
  const args = ["build", "src/main.ts", "--compile", "--minify", "--bytecode", "--bytecode-order=.ci/portico.order", "--compile-jit-policy=32", "--splitting", "--format=esm", `--target=${TARGETS[target]}`, "--outfile", file];
  const r = Bun.spawnSync([process.execPath, ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`bun build for ${target} failed:\n${r.stderr.toString()}${r.stdout.toString()}`);
  return file;
}

/** The bare Bun runtime for `target`: a one-line program compiled the same way (what "near Bun's own size" means). */
function bareRuntimeBytes(target: Target, tmp: string): number {
  const entry = join(tmp, "bare.ts");
  writeFileSync(entry, "console.log(1);\n");
  const out = join(tmp, `bare-${target}`);
  const r = Bun.spawnSync([process.execPath, "build", entry, "--compile", `--target=${TARGETS[target]}`, "--outfile", out], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) return NaN;
  const exe = existsSync(out) ? out : `${out}.exe`;
  return statSync(exe).size;
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function signingKey(values: { key?: string; "ephemeral-key"?: boolean; unsigned?: boolean }, outDir: string): { key: KeyObject | null; kind: string } {
  if (values.unsigned) return { key: null, kind: "unsigned" };
  if (values["ephemeral-key"]) {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(join(outDir, "release-test-key.pub"), publicKey.export({ type: "spki", format: "pem" }));
    return { key: privateKey, kind: "ephemeral (test only — not the project's key)" };
  }
  const file = values.key ?? process.env.PORTICO_RELEASE_KEY;
  if (!file) throw new Error("no signing key: pass --key FILE (or PORTICO_RELEASE_KEY=FILE), --ephemeral-key for a test build, or --unsigned");
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${file} is not an Ed25519 private key`);
  const published = existsSync(PUBLIC_KEY_FILE) ? readFileSync(PUBLIC_KEY_FILE, "utf8") : "";
  const mine = createPublicKey(key).export({ type: "spki", format: "pem" }).toString();
  if (published.includes("BEGIN PUBLIC KEY") && published.trim() !== mine.trim()) {
    throw new Error(`${file} does not match deploy/release-signing-key.pub: users could not verify this release`);
  }
  return { key, kind: published.includes("BEGIN PUBLIC KEY") ? "project key" : "maintainer key (deploy/release-signing-key.pub not set yet)" };
}

async function main() {
  const { values } = parseArgs({
    options: {
      targets: { type: "string" },
      out: { type: "string" },
      key: { type: "string" },
      "ephemeral-key": { type: "boolean" },
      unsigned: { type: "boolean" },
      keygen: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return console.log(HELP);
  if (values.keygen) return keygen(resolve(values.keygen));
  const targets = (values.targets?.split(",").map((t) => t.trim()) ?? Object.keys(TARGETS)) as Target[];
  for (const t of targets) if (!(t in TARGETS)) throw new Error(`--targets: unknown target ${t}; one of ${Object.keys(TARGETS).join(", ")}`);
  const outDir = resolve(values.out ?? join(ROOT, "dist/release"));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const signer = signingKey(values, outDir);

  const commit = git("rev-parse", "--short=12", "HEAD") || "unknown";
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
  if (git("status", "--porcelain", "--untracked-files=no")) say("WARNING: the work tree has uncommitted changes; the binaries say -dirty");
  const tmp = mkdtempSync(join(tmpdir(), "portico-release-"));
  const built: Array<{ target: Target; file: string; bytes: number; sha256: string; runtimeBytes: number }> = [];
  for (const [i, target] of targets.entries()) {
    say(`[${i + 1}/${targets.length}] building ${target} …`);
    const started = Date.now();
    const file = build(target, outDir);
    const bytes = statSync(file).size;
    const runtimeBytes = bareRuntimeBytes(target, tmp);
    built.push({ target, file, bytes, sha256: sha256(file), runtimeBytes });
    say(`        ${file.replace(ROOT + "/", "")}  ${mb(bytes)}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  rmSync(tmp, { recursive: true, force: true });
  const stray = readdirSync(outDir).filter((f) => !built.some((b) => b.file.endsWith(f)) && f !== "release-test-key.pub");
  if (stray.length) throw new Error(`unexpected files in ${outDir}: ${stray.join(", ")}`);

  const sums = built.map((b) => `${b.sha256}  ${b.file.split("/").pop()}`).join("\n") + "\n";
  writeFileSync(join(outDir, "SHA256SUMS"), sums);
  let signed = false;
  if (signer.key) {
    const sig = sign(null, Buffer.from(sums), signer.key);
    if (!verify(null, Buffer.from(sums), createPublicKey(signer.key), sig)) throw new Error("the signature does not verify");
    writeFileSync(join(outDir, "SHA256SUMS.sig"), sig);
    signed = true;
    say(`signed SHA256SUMS with the ${signer.kind}`);
  } else say("WARNING: SHA256SUMS is NOT signed (--unsigned)");

  say("writing the SBOM (CycloneDX, from package-lock.json) …");
  writeFileSync(join(outDir, "portico.cdx.json"), JSON.stringify(cycloneDx(ROOT), null, 2) + "\n");
  if (process.platform !== "win32") for (const b of built) chmodSync(b.file, 0o755);

  const result = { version, commit, outDir, signed, signer: signer.kind, binaries: built };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`portico ${version} (${commit}) → ${outDir}`);
    for (const b of built) console.log(`  ${b.file.split("/").pop()!.padEnd(28)} ${mb(b.bytes).padStart(9)}  (bare Bun runtime for this target ${mb(b.runtimeBytes)}, Portico adds ${mb(b.bytes - b.runtimeBytes)})`);
    console.log(`  SHA256SUMS${signed ? " + SHA256SUMS.sig" : " (unsigned)"}, portico.cdx.json`);
  }
}

main().catch((err) => {
  say(`release: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
