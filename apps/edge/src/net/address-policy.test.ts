import { describe, expect, it } from "vitest";
import { checkOutboundUrl, isInternalHost, isLoopbackHost, parseV6 } from "./address-policy";

/** The hostname a URL parser makes of `host` (what the policy actually sees). */
const parsed = (host: string) => new URL(`https://${host}/x`).hostname;

describe("address policy", () => {
  it("refuses internal IPv4 literals in every spelling a URL parser accepts", () => {
    for (const host of [
      "127.0.0.1",
      "127.1",
      "0x7f.0.0.1",
      "2130706433",
      "017700000001",
      "127.0.0.1.",
      "0",
      "10.1.2.3",
      "100.64.0.1",
      "169.254.169.254",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "192.0.0.170",
      "192.0.2.1",
      "198.18.0.1",
      "198.19.255.254",
      "198.51.100.7",
      "203.0.113.9",
      "224.0.0.1",
      "255.255.255.255",
    ]) {
      expect(isInternalHost(parsed(host)), host).toBe(true);
    }
    for (const host of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "198.20.0.1", "192.0.1.1", "100.128.0.1", "11.0.0.1"]) {
      expect(isInternalHost(parsed(host)), host).toBe(false);
    }
  });

  it("judges IPv6 forms that embed an IPv4 address by that address", () => {
    for (const host of [
      "[::1]",
      "[::]",
      "[0:0:0:0:0:0:0:1]",
      "[::ffff:127.0.0.1]",
      "[::ffff:7f00:1]",
      "[::ffff:169.254.169.254]",
      "[::ffff:0:10.0.0.1]",
      "[::127.0.0.1]",
      "[64:ff9b::127.0.0.1]",
      "[64:ff9b::a9fe:a9fe]",
      "[64:ff9b:1::1]",
      "[2002:7f00:1::]",
      "[2002:c0a8:101::1]",
      "[fd00::1]",
      "[fc00::1]",
      "[fe80::1]",
      "[fec0::1]",
      "[ff02::1]",
      "[2001:db8::1]",
      "[2001::1]",
      "[100::1]",
      "[3fff::1]",
    ]) {
      expect(isInternalHost(parsed(host)), host).toBe(true);
    }
    for (const host of ["[2606:4700:4700::1111]", "[64:ff9b::808:808]", "[::ffff:8.8.8.8]", "[2002:808:808::1]"]) {
      expect(isInternalHost(parsed(host)), host).toBe(false);
    }
  });

  it("refuses names that are, spell or resolve by design to internal addresses", () => {
    for (const host of [
      "localhost",
      "LOCALHOST.",
      "localhost..",
      "api.localhost",
      "metadata",
      "instance-data",
      "metadata.google.internal",
      "printer.local",
      "nas.home.arpa",
      "1.0.0.127.in-addr.arpa",
      "127.0.0.1.nip.io",
      "app-127-0-0-1.nip.io",
      "7f000001.nip.io",
      "8.8.8.8.sslip.io",
      "--1.sslip.io",
      "anything.localtest.me",
      "x.lvh.me",
      "127.0.0.1.example.net",
      "10-0-0-1.example.net",
      "ip-169-254-169-254.example.com",
    ]) {
      expect(isInternalHost(parsed(host)), host).toBe(true);
    }
    for (const host of [
      "img.example",
      "fc.example",
      "cdn.example.com.",
      "ec2-54-1-2-3.compute.amazonaws.com",
      "x1-2-3.io",
    ]) {
      expect(isInternalHost(parsed(host)), host).toBe(false);
    }
  });

  it("parses IPv6 text exactly", () => {
    expect(parseV6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseV6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseV6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseV6("1::2:3.4.5.6")).toEqual([1, 0, 0, 0, 0, 2, 0x304, 0x506]);
    for (const bad of ["1:2:3", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::1.2.3.999"])
      expect(parseV6(bad)).toBeNull();
  });

  it("lets local development call loopback only, and only when asked", () => {
    expect(checkOutboundUrl("http://127.0.0.1:9999/hook")).toEqual({ ok: false, problem: "must be an https URL" });
    for (const url of ["http://127.0.0.1:9999/hook", "http://localhost./x", "https://[::1]/x"]) {
      expect(checkOutboundUrl(url, { allowLoopback: true }).ok, url).toBe(true);
    }
    for (const url of ["http://10.0.0.1/x", "https://169.254.169.254/x", "http://example.com/x"]) {
      expect(checkOutboundUrl(url, { allowLoopback: true }).ok, url).toBe(false);
    }
    expect(isLoopbackHost("[::ffff:7f00:1]")).toBe(false); // a mapped form is not development's loopback
    expect(checkOutboundUrl("https://u:p@img.example/")).toEqual({
      ok: false,
      problem: "must not contain credentials",
    });
    expect(checkOutboundUrl("nope")).toEqual({ ok: false, problem: "must be an absolute URL" });
    expect(checkOutboundUrl("https://img.example/a.png").ok).toBe(true);
  });
});
