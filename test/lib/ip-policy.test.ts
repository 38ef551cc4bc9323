import { expect, test } from "bun:test";
import { isAddressAllowed } from "../../src/lib/ip-policy";

// [address, allowLoopback, expected]
const CASES: Array<[string, boolean, boolean]> = [
  ["8.8.8.8", false, true],
  ["172.15.0.1", false, true],
  ["172.32.0.1", false, true],
  ["100.128.0.1", false, true],
  ["2606:4700::1111", false, true],
  ["2001:4860:4860::8888", false, true],
  ["::ffff:8.8.8.8", false, true],
  ["10.0.0.1", true, false],
  ["172.16.0.1", false, false],
  ["172.31.255.255", false, false],
  ["192.168.0.1", false, false],
  ["100.64.0.1", false, false],
  ["169.254.169.254", true, false],
  ["0.0.0.0", true, false],
  ["224.0.0.1", false, false],
  ["255.255.255.255", false, false],
  ["127.0.0.1", false, false],
  ["127.0.0.1", true, true],
  ["127.5.0.1", true, true],
  ["::1", false, false],
  ["::1", true, true],
  ["::", true, false],
  ["::ffff:10.0.0.1", false, false],
  ["::ffff:a00:1", false, false],
  ["::ffff:127.0.0.1", false, false],
  ["::ffff:127.0.0.1", true, true],
  ["::127.0.0.1", true, false],
  ["64:ff9b::a00:1", false, false],
  ["2002:a00:1::", false, false],
  ["2001::1", false, false],
  ["2001:db8::1", false, false],
  ["fe80::1%eth0", true, false],
  ["fc00::1", false, false],
  ["fd12::1", false, false],
  ["ff02::1", false, false],
  ["example.com", true, false],
];

test.each(CASES)("isAddressAllowed(%s, loopback=%p) is %p", (ip, allowLoopback, expected) => {
  expect(isAddressAllowed(ip, allowLoopback)).toBe(expected);
});
