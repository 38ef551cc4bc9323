import { describe, expect, test } from "bun:test";
import { validTraceparent } from "../../src/lib/trace-context";

const GOOD = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("W3C traceparent (Trace Context §3.2)", () => {
  test("a well-formed version-00 value is kept as is", () => {
    expect(validTraceparent(GOOD)).toBe(GOOD);
    expect(validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  });

  test("anything else is dropped: other versions, uppercase, all-zero ids, wrong lengths, extra text, non-strings", () => {
    for (const bad of [
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      GOOD.toUpperCase(),
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      `${GOOD}\n`,
      `${GOOD}-extra`,
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
      "<script>alert(1)</script>",
      "",
      null,
      42,
      { traceparent: GOOD },
    ]) {
      expect(validTraceparent(bad)).toBeNull();
    }
  });
});
