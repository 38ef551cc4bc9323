import { expect, test } from "bun:test";
import { defaultProjectLimit, ProjectShare } from "../../../src/tools/sandbox/project-share";

const never = new AbortController().signal;

test("per-project turns: limit at once, a bounded queue, then refusals; other projects are not affected", async () => {
  const share = new ProjectShare(1, 1);
  expect(await share.enter("a", never, 1000)).toBe(true);
  const queued = share.enter("a", never, 1000);
  expect(await share.enter("a", never, 1000)).toBe("full");
  expect(await share.enter("b", never, 1000)).toBe(true);
  share.leave("a");
  expect(await queued).toBe(true);
  expect(share.running("a")).toBe(1);
  share.leave("a");
  share.leave("b");
  expect(share.running("a")).toBe(0);
});

test("a waiting call gives up after its time limit or when cancelled", async () => {
  const share = new ProjectShare(1, 4);
  await share.enter("a", never, 1000);
  expect(await share.enter("a", never, 10)).toBe("timeout");
  const abort = new AbortController();
  const waiting = share.enter("a", abort.signal, 10_000);
  abort.abort();
  expect(await waiting).toBe("cancelled");
  share.leave("a");
  expect(share.running("a")).toBe(0);
});

test("the default share is half the pool rounded up, at least one", () => {
  expect([1, 2, 3, 4].map(defaultProjectLimit)).toEqual([1, 1, 2, 2]);
});
