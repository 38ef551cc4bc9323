import { describe, expect, test } from "bun:test";
import { hostedReachProblems, hostedReachWarning } from "../../src/lib/hosted-reach";

describe("whether hosted hosts (Claude, ChatGPT) can reach the public URL", () => {
  test("a public https URL on the default port has no problem and no warning", () => {
    expect(hostedReachProblems("https://portico.example.com")).toEqual([]);
    expect(hostedReachProblems("https://portico.example.com:443")).toEqual([]);
    expect(hostedReachWarning("https://portico.example.com")).toBeNull();
  });

  test("http, a loopback host and a port other than 443 are each named", () => {
    const problems = hostedReachProblems("http://127.0.0.1:8080");
    expect(problems).toHaveLength(3);
    expect(problems.join(" ")).toContain("uses http");
    expect(problems.join(" ")).toContain("127.0.0.1 is this computer's own address");
    expect(problems.join(" ")).toContain("port 8080");
    expect(hostedReachProblems("https://localhost")).toHaveLength(1);
    expect(hostedReachProblems("http://[::1]:3000").join(" ")).toContain("[::1] is this computer's own address");
    expect(hostedReachProblems("https://portico.example.com:8443")).toEqual(["it uses port 8443, and hosted apps expect https on the standard port 443"]);
  });

  test("the serve warning says who cannot connect, why, and where the https guide is", () => {
    const text = hostedReachWarning("http://127.0.0.1:3000")!;
    expect(text).toContain("Claude, ChatGPT and other hosted apps connect from their cloud and cannot reach http://127.0.0.1:3000");
    expect(text).toContain("--public-url");
    expect(text).toContain("Running behind a reverse proxy with https");
  });
});
