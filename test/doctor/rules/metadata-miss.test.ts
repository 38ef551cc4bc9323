import { expect, test } from "bun:test";
import { metadataMiss } from "../../../src/doctor/rules/metadata-miss";
import { ev, project } from "./events";

test("metadata asked for at a path Portico does not serve: says which URL to paste", () => {
  const f = metadataMiss(project([ev("metadata_miss", "fail", 1, { path: "/acme/shop/.well-known/oauth-protected-resource", status: 404 })]));
  expect(f?.id).toBe("metadata-path-not-served");
  expect(f?.title).toBe("A host asked for /acme/shop/.well-known/oauth-protected-resource, which Portico does not serve: it was probably given a wrong URL for this project.");
  expect(f?.fix).toBe("Paste exactly https://portico.example/acme/shop into the host (nothing added after it), then connect again.");
});

test("a miss on a draft path points at the draft URL; no miss, no finding", () => {
  const f = metadataMiss(project([ev("metadata_miss", "fail", 1, { path: "/.well-known/oauth-protected-resource/acme/shop/draft/mcp" })]));
  expect(f?.fix).toContain("https://portico.example/acme/shop/draft");
  expect(metadataMiss(project([ev("resource_metadata", "ok", 1)]))).toBeNull();
});
