/**
 * A CycloneDX 1.5 SBOM of Portico's runtime dependencies, from package-lock.json (issue 12). `npm sbom
 * --omit dev` was the plan, but npm 11.19 leaves out runtime packages here (the MCP SDK, zod, ajv, ext-apps
 * — 46 of the 186 packages the lock file marks non-dev), so the lock file, which `npm ci` installs exactly,
 * is the source: every package not marked `dev`/`devOptional`, with its version, purl, licence and the
 * lock file's integrity hash.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface LockEntry {
  version?: string;
  integrity?: string;
  license?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
}

const HASH_ALG: Record<string, string> = { sha512: "SHA-512", sha384: "SHA-384", sha256: "SHA-256", sha1: "SHA-1" };

function purl(name: string, version: string): string {
  return `pkg:npm/${name.startsWith("@") ? `%40${name.slice(1)}` : name}@${version}`;
}

export function cycloneDx(root: string, now = new Date()): object {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string; description?: string };
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const seen = new Set<string>();
  const components = [];
  for (const [path, e] of Object.entries(lock.packages)) {
    if (!path || e.dev || e.devOptional || e.link || !e.version) continue;
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    const ref = purl(name, e.version);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const [alg, b64] = (e.integrity ?? "").split("-", 2) as [string, string | undefined];
    components.push({
      type: "library",
      "bom-ref": ref,
      name,
      version: e.version,
      purl: ref,
      ...(e.license ? { licenses: [{ license: { id: e.license } }] } : {}),
      ...(b64 && HASH_ALG[alg] ? { hashes: [{ alg: HASH_ALG[alg], content: Buffer.from(b64, "base64").toString("hex") }] } : {}),
      ...(e.optional ? { scope: "optional" } : {}),
    });
  }
  components.sort((a, b) => a.name.localeCompare(b.name));
  return {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    serialNumber: `urn:uuid:${crypto.randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: "application", name: "portico .ci/sbom.ts" }] },
      component: { type: "application", "bom-ref": purl(pkg.name, pkg.version), name: pkg.name, version: pkg.version, description: pkg.description, purl: purl(pkg.name, pkg.version) },
    },
    components,
  };
}
