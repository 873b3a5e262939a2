// Where the edge may send its own requests on a user's behalf (image URLs, webhook endpoints):
// https to a public host only. One policy for every outbound fetch, so a gap closed here is
// closed for all of them.
//
// What is checked: the URL as parsed (WHATWG parsing already turns 0x7f.1, 2130706433 and
// "127.0.0.1." into 127.0.0.1), IPv4 and IPv6 literals against the special-purpose registries
// (IPv6 forms that embed an IPv4 address — mapped, compatible, translated, NAT64, 6to4 — are
// judged by that address), reserved and internal names (localhost, *.local, *.internal…, and a
// name without a dot, which only a search domain can resolve), names that spell an internal
// IPv4 address (127.0.0.1.example.net, 10-0-0-1.example.net), and wildcard-DNS services whose
// whole purpose is to map a name to any address (nip.io, sslip.io, localtest.me…).
// What is not: a name that merely resolves to an internal address. workerd resolves names
// itself and gives code no resolver, so the edge cannot see the address it will connect to;
// Cloudflare's network does not route to private ranges, which is the layer that covers it.

/** IPv4 special-purpose blocks (IANA registry) no user content is served from. */
const INTERNAL_V4: Array<[string, number]> = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments (DS-Lite, NAT64 discovery…)
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and 255.255.255.255 broadcast
];

/** Names reserved for local or private use (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal). */
const INTERNAL_SUFFIXES = ["localhost", "local", "internal", "intranet", "lan", "home.arpa", "localdomain", "arpa"];

/** Public wildcard-DNS services: any name under them resolves to whatever address it spells. */
const WILDCARD_DNS_SUFFIXES = [
  "nip.io",
  "sslip.io",
  "xip.io",
  "nip.direct",
  "traefik.me",
  "local-ip.co",
  "localtest.me",
  "lvh.me",
  "vcap.me",
  "fuf.me",
  "lacolhost.com",
  "localhost.direct",
];

function v4Number(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

const V4_BLOCKS = INTERNAL_V4.map(([base, bits]) => ({
  base: v4Number(base)!,
  mask: bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0,
}));

export function isInternalV4(address: number): boolean {
  return V4_BLOCKS.some(({ base, mask }) => (address & mask) >>> 0 === base);
}

/** The eight 16-bit groups of an IPv6 literal (no brackets, no zone), or null. */
export function parseV6(text: string): number[] | null {
  let head = text;
  const tail: number[] = [];
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const quad = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = v4Number(quad[2]);
    if (v4 === null) return null;
    head = quad[1].endsWith("::") ? quad[1] : quad[1].slice(0, -1);
    tail.push(v4 >>> 16, v4 & 0xffff);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...left, ...right];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  const given = all.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const zeros = new Array(8 - given).fill(0);
  const hex = (g: string) => Number.parseInt(g, 16);
  return [...left.map(hex), ...(halves.length === 2 ? zeros : []), ...right.map(hex), ...tail];
}

/** The IPv4 address an IPv6 address stands for (mapped, compatible, translated, NAT64, 6to4), or null. */
function embeddedV4(g: number[]): number | null {
  const v4 = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]); // ::ffff:a.b.c.d (mapped)
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]); // ::ffff:0:a.b.c.d (SIIT)
  if (zero(0, 6)) return v4(g[6], g[7]); // ::a.b.c.d (compatible; ::, ::1 land in 0.0.0.0/8)
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6], g[7]); // 64:ff9b::/96 (NAT64)
  if (g[0] === 0x2002) return v4(g[1], g[2]); // 2002::/16 (6to4)
  return null;
}

export function isInternalV6(g: number[]): boolean {
  const embedded = embeddedV4(g);
  if (embedded !== null) return isInternalV4(embedded);
  // Only global unicast (2000::/3) reaches the public internet; inside it, the blocks below
  // are special purpose: 2001::/23 (Teredo, ORCHID, benchmarking…), documentation.
  if ((g[0] & 0xe000) !== 0x2000) return true;
  if (g[0] === 0x2001 && g[1] < 0x200) return true;
  if (g[0] === 0x2001 && g[1] === 0xdb8) return true;
  return (g[0] & 0xfff0) === 0x3ff0; // 3fff::/20 documentation
}

/** Lower case, without brackets or trailing dots ("localhost." is localhost). */
function normalize(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "");
}

function under(host: string, suffixes: string[]): boolean {
  return suffixes.some((s) => host === s || host.endsWith(`.${s}`));
}

/** An internal IPv4 address spelled inside a name: four numeric labels, or a-b-c-d in one label. */
function spellsInternalV4(host: string): boolean {
  const labels = host.split(".");
  for (let i = 0; i + 4 <= labels.length; i++) {
    const v4 = v4Number(labels.slice(i, i + 4).join("."));
    if (v4 !== null && isInternalV4(v4)) return true;
  }
  for (const m of host.matchAll(/(?:^|[^0-9])(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?![0-9])/g)) {
    const v4 = v4Number(m.slice(1, 5).join("."));
    if (v4 !== null && isInternalV4(v4)) return true;
  }
  return false;
}

/** True for hosts that are, or may name, an internal address (see the header for the limits). */
export function isInternalHost(hostname: string): boolean {
  const host = normalize(hostname);
  if (host === "") return true;
  const v4 = v4Number(host);
  if (v4 !== null) return isInternalV4(v4);
  if (host.includes(":")) {
    const v6 = parseV6(host.replace(/%.*$/, ""));
    return v6 === null || isInternalV6(v6);
  }
  if (!host.includes(".")) return true; // single label: metadata, instance-data, a search domain
  // A name ending in a number would be parsed as IPv4 by a URL parser; here it can only be odd.
  if (/^[0-9.]+$/.test(host) || /^0x[0-9a-f]+$/.test(host.split(".").at(-1) ?? "")) return true;
  return under(host, INTERNAL_SUFFIXES) || under(host, WILDCARD_DNS_SUFFIXES) || spellsInternalV4(host);
}

/** Loopback only: 127.0.0.0/8, ::1, localhost (what local development may call). */
export function isLoopbackHost(hostname: string): boolean {
  const host = normalize(hostname);
  const v4 = v4Number(host);
  if (v4 !== null) return v4 >>> 24 === 127;
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v6 = host.includes(":") ? parseV6(host) : null;
  if (!v6) return false;
  return v6.slice(0, 7).every((x) => x === 0) && v6[7] === 1; // ::1
}

export interface OutboundPolicy {
  /** Also accept loopback hosts, over http or https (local development and tests only). */
  allowLoopback?: boolean;
}

export type OutboundCheck = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * Checks a user-supplied URL (relative to `base` for redirects). The problem reads after
 * "The URL …" or "url: …": "must be an https URL", "must point to a public host"…
 */
export function checkOutboundUrl(raw: string, policy: OutboundPolicy = {}, base?: URL): OutboundCheck {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return { ok: false, problem: "must be an absolute URL" };
  }
  if (url.username || url.password) return { ok: false, problem: "must not contain credentials" };
  if (policy.allowLoopback && (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHost(url.hostname)) {
    return { ok: true, url };
  }
  if (url.protocol !== "https:") return { ok: false, problem: "must be an https URL" };
  if (isInternalHost(url.hostname)) return { ok: false, problem: "must point to a public host" };
  return { ok: true, url };
}
