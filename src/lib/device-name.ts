/**
 * A readable name for a User-Agent header (issue 16 #9: "Chrome on Linux", "Claude Desktop on macOS", "curl")
 * for the lists that show where a session or call came from. Pure and best effort: user agents are
 * self-declared and free text, so this only names the common ones and falls back to the product token.
 */

/** App names, checked first: desktop apps built on Electron also carry "Chrome/…" and "Electron/…". */
const APPS: Array<[RegExp, string]> = [
  [/\bClaude\/[\d.]+.*\bElectron\//, "Claude Desktop"],
  [/\bClaude\b/i, "Claude"],
  [/\bChatGPT\b/i, "ChatGPT"],
  [/\bCursor\//, "Cursor"],
  [/\bcurl\//i, "curl"],
  [/\bWget\//i, "Wget"],
  [/\bnode(?:-fetch)?\b|\bundici\b/i, "Node.js"],
  [/\bBun\//, "Bun"],
  [/\bpython-requests\/|\bpython-httpx\/|\bPython-urllib\/|\baiohttp\//i, "Python"],
  [/\bpostman/i, "Postman"],
];

/** Browsers, in the order that tells them apart: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\//, "Opera"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\b(?:Headless)?Chrome\/|\bCriOS\/|\bChromium\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/\bAndroid\b/, "Android"],
  [/\biPhone\b|\biPad\b|\biOS\b/, "iOS"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bMac OS X\b|\bMacintosh\b|\bmacOS\b|\bdarwin\b/i, "macOS"],
  [/\bWindows\b|\bwin32\b/i, "Windows"],
  [/\bLinux\b|\bX11\b/i, "Linux"],
];

function match(list: Array<[RegExp, string]>, ua: string): string | undefined {
  return list.find(([re]) => re.test(ua))?.[1];
}

/** "Chrome on Linux", "Claude Desktop on macOS", "curl", … ; "Unknown device" when there is no header. */
export function deviceName(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? "").trim();
  if (!ua) return "Unknown device";
  const app = match(APPS, ua) ?? match(BROWSERS, ua);
  const system = match(SYSTEMS, ua);
  if (app) return system ? `${app} on ${system}` : app;
  // Anything else: its first product token ("MyBot/1.2 (…)" → "MyBot"), never the whole header.
  const product = /^[A-Za-z][\w.-]{0,40}/.exec(ua)?.[0];
  return product ? (system ? `${product} on ${system}` : product) : "Unknown device";
}
