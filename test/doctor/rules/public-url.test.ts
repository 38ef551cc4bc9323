import { expect, test } from "bun:test";
import { publicUrlPort, publicUrlSchemeMismatch } from "../../../src/doctor/rules/public-url";
import { ev, project } from "./events";

test("requests arriving over http while the public URL is https: set PORTICO_PUBLIC_URL (or X-Forwarded-Proto)", () => {
  const f = publicUrlSchemeMismatch(project([ev("resource_metadata", "ok", 1, { seen: "http://portico.example", path: "/.well-known/oauth-protected-resource/acme/shop" })]));
  expect(f?.id).toBe("public-url-scheme-mismatch");
  expect(f?.title).toBe("Requests arrive for http://portico.example while the public URL is https://portico.example: hosts see addresses that do not match the ones Portico advertises.");
  expect(f?.fix).toContain("PORTICO_PUBLIC_URL");
  expect(f?.fix).toContain("X-Forwarded-Proto: https");
});

test("no scheme finding when requests arrive over https, or the public URL is http itself", () => {
  expect(publicUrlSchemeMismatch(project([ev("token", "ok", 1, { seen: "https://portico.example" })]))).toBeNull();
  expect(publicUrlSchemeMismatch(project([ev("token", "ok", 1, { seen: "http://localhost:3000" })], { publicUrl: "http://localhost:3000" }))).toBeNull();
});

test("a non-443 port in the public URL is a project finding; the standard port is not", () => {
  const f = publicUrlPort(project([], { publicUrl: "https://portico.example:8443" }));
  expect(f?.id).toBe("public-url-port");
  expect(f?.title).toBe("The public URL https://portico.example:8443 uses port 8443; hosted apps such as Claude and ChatGPT connect only to https on port 443.");
  expect(f?.fix).toContain("https://portico.example (port 443)");
  expect(publicUrlPort(project([]))).toBeNull();
});
