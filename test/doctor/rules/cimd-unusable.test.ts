import { expect, test } from "bun:test";
import { cimdUnusable } from "../../../src/doctor/rules/cimd-unusable";
import { client, ev } from "./events";

const URL = "https://app.example/client.json";

test("an unreachable or invalid metadata document: what was wrong, and what the document must be", () => {
  const f = cimdUnusable(client([ev("client_metadata", "fail", 2, { metadataUrl: URL, fetch: "failed", status: 500 }, "the client metadata document answered HTTP 500")], { clientId: URL, name: URL }));
  expect(f?.id).toBe("cimd-unusable");
  expect(f?.severity).toBe("error");
  expect(f?.title).toBe(`Portico could not use ${URL}'s metadata document at ${URL}: the client metadata document answered HTTP 500.`);
  expect(f?.fix).toContain("over https as JSON");
});

test("a failed refetch with an earlier copy is a warning; a later good fetch clears it", () => {
  const stale = cimdUnusable(client([ev("client_metadata", "fail", 2, { metadataUrl: URL, fetch: "failed, stale copy used" }, "the client metadata document is not JSON")]));
  expect(stale?.severity).toBe("warning");
  expect(stale?.title).toContain("is using an earlier copy");
  expect(cimdUnusable(client([ev("client_metadata", "fail", 5), ev("client_metadata", "ok", 1)]))).toBeNull();
});
