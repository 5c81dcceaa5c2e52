import { isIP } from 'node:net';

/** An address as 16 bytes: IPv4 is held in its IPv4-mapped form (::ffff:a.b.c.d), so one table covers both. */
export type Ip16 = Uint8Array;

/** Why an address may not be called without being listed; each range names the kind of address. */
export type AddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared (CGNAT)'
  | 'link-local'
  | 'cloud metadata'
  | 'multicast'
  | 'reserved';

export interface Cidr {
  bytes: Ip16;
  /** The prefix length over the 16 bytes (an IPv4 /8 is a /104 here). */
  bits: number;
  text: string;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** The 16 bytes of an IPv4 or IPv6 literal (brackets allowed, zone ids refused), or undefined. */
export function parseIp(text: string): Ip16 | undefined {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = isIP(t);
  if (family === 4) return Uint8Array.from([...MAPPED_PREFIX, ...t.split('.').map(Number)]);
  if (family === 6 && !t.includes('%')) return parseIpv6(t);
  return undefined;
}

/** isIP has checked the syntax: what is left is a trailing dotted quad and expanding `::`. */
function parseIpv6(text: string): Ip16 {
  const t = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((w) => w.toString(16)).join(':'),
  );
  const [head, tail] = t.split('::');
  const words = (s: string | undefined) => (s ? s.split(':') : []);
  const left = words(head);
  const right = words(tail);
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const out = new Uint8Array(16);
  [...left, ...fill, ...right].forEach((w, i) => {
    const n = parseInt(w, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

/** `10.0.0.0/8`, `fd00::/8`, or one address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', len, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const v4 = isIP(addr) === 4;
  const max = v4 ? 32 : 128;
  const n = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(n >= 0 && n <= max)) return undefined;
  return { bytes, bits: v4 ? n + 96 : n, text };
}

export function inCidr(ip: Ip16, cidr: Cidr): boolean {
  const whole = cidr.bits >> 3;
  for (let i = 0; i < whole; i++) if (ip[i] !== cidr.bytes[i]) return false;
  const rem = cidr.bits & 7;
  if (!rem) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return ((ip[whole] ?? 0) & mask) === ((cidr.bytes[whole] ?? 0) & mask);
}

/** The IPv4 address an IPv6 one carries where a network will deliver it to that IPv4 host. */
function embeddedIpv4(ip: Ip16): Ip16 | undefined {
  const v4 = (at: number) => Uint8Array.from([...MAPPED_PREFIX, ...ip.slice(at, at + 4)]);
  if (inCidr(ip, NAT64)) return v4(12);
  if (inCidr(ip, SIX_TO_FOUR)) return v4(2);
  return undefined;
}

const range = (text: string) => parseCidr(text)!;
const NAT64 = range('64:ff9b::/96');
const SIX_TO_FOUR = range('2002::/16');

/**
 * Ranges no outbound call goes to unless configuration lists them, most specific first (the
 * metadata addresses sit inside link-local and ULA and are named for what they are). IANA's
 * special-purpose registries; IPv6 outside 2000::/3 is not global unicast at all.
 */
const REFUSED: ReadonlyArray<[Cidr, AddressKind]> = [
  [range('169.254.169.254/32'), 'cloud metadata'],
  [range('fd00:ec2::254/128'), 'cloud metadata'],
  [range('0.0.0.0/8'), 'unspecified'],
  [range('10.0.0.0/8'), 'private'],
  [range('100.64.0.0/10'), 'shared (CGNAT)'],
  [range('127.0.0.0/8'), 'loopback'],
  [range('169.254.0.0/16'), 'link-local'],
  [range('172.16.0.0/12'), 'private'],
  [range('192.0.0.0/24'), 'reserved'],
  [range('192.0.2.0/24'), 'reserved'],
  [range('192.88.99.0/24'), 'reserved'],
  [range('192.168.0.0/16'), 'private'],
  [range('198.18.0.0/15'), 'reserved'],
  [range('198.51.100.0/24'), 'reserved'],
  [range('203.0.113.0/24'), 'reserved'],
  [range('224.0.0.0/4'), 'multicast'],
  [range('240.0.0.0/4'), 'reserved'],
  [range('::/128'), 'unspecified'],
  [range('::1/128'), 'loopback'],
  [range('64:ff9b:1::/48'), 'private'],
  [range('fc00::/7'), 'private'],
  [range('fe80::/10'), 'link-local'],
  [range('fec0::/10'), 'private'],
  [range('ff00::/8'), 'multicast'],
  [range('2001::/23'), 'reserved'],
  [range('2001:db8::/32'), 'reserved'],
  [range('3fff::/20'), 'reserved'],
  [range('5f00::/16'), 'reserved'],
];
const IPV4_MAPPED = range('::ffff:0.0.0.0/96');
const GLOBAL_UNICAST = range('2000::/3');

/** The refused range an address is in, with its kind; undefined for a public address. */
export function refusedRange(ip: Ip16): { kind: AddressKind; range: string } | undefined {
  const inner = embeddedIpv4(ip);
  if (inner) return refusedRange(inner); // one level only: an IPv4 address embeds nothing
  const hit = REFUSED.find(([cidr]) => inCidr(ip, cidr));
  if (hit) return { kind: hit[1], range: hit[0].text };
  if (!inCidr(ip, IPV4_MAPPED) && !inCidr(ip, GLOBAL_UNICAST))
    return { kind: 'reserved', range: 'outside 2000::/3' };
  return undefined;
}

/** True when the address is one of the refused ranges' metadata addresses (never allowed by name). */
export function isMetadata(ip: Ip16): boolean {
  return refusedRange(ip)?.kind === 'cloud metadata';
}
