import { expect, test } from "bun:test";
import { auditPayload, UNSERIALIZABLE_MARKER } from "../../src/audit/payload";

test("a payload that cannot be serialized is stored as a marker instead of throwing (issue 11 #18)", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(auditPayload(cyclic, true)).toBe(UNSERIALIZABLE_MARKER);
  expect(auditPayload({ n: 10n }, true)).toBe(UNSERIALIZABLE_MARKER);
  let deep: unknown = 1;
  for (let i = 0; i < 200_000; i++) deep = [deep];
  expect(auditPayload(deep, true)).toBe(UNSERIALIZABLE_MARKER);
  expect(auditPayload({ ok: true }, true)).toBe('{"ok":true}');
  expect(auditPayload(cyclic, false)).toBeNull();
});
