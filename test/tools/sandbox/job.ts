/** A sandbox job with the defaults the engine and pool tests share: `extra` overrides any field. */
import type { SandboxJob } from "../../../src/tools/sandbox/protocol";

export const job = (script: string, extra: Partial<SandboxJob> = {}): SandboxJob => ({
  script,
  input: {},
  secrets: {},
  timeoutMs: 2000,
  memoryMb: 64,
  allowedDomains: [],
  allowLoopbackFetch: false,
  blockedOrigins: [],
  ...extra,
});
