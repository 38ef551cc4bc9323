import { describe, expect, test } from "bun:test";
import { deviceName } from "../../src/lib/device-name";

describe("deviceName names common user agents in words", () => {
  const cases: Array<[string | null, string]> = [
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on macOS"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"],
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Claude/0.9.3 Chrome/130.0.6723.152 Electron/33.2.0 Safari/537.36", "Claude Desktop on macOS"],
    ["Claude-User (claude-code/1.0; +https://www.anthropic.com)", "Claude"],
    ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ChatGPT-User/1.0; +https://openai.com/bot)", "ChatGPT"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome on Linux"],
    ["node", "Node.js"],
    ["node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "Node.js"],
    ["curl/8.5.0", "curl"],
    ["MyBot/1.2 (+https://example.com)", "MyBot"],
    ["", "Unknown device"],
    [null, "Unknown device"],
  ];
  for (const [ua, name] of cases) {
    test(`${JSON.stringify(ua)?.slice(0, 70)} → ${name}`, () => expect(deviceName(ua)).toBe(name));
  }
  test("never returns the raw header for an unrecognised one", () => {
    expect(deviceName("(((( weird")).toBe("Unknown device");
  });
});
