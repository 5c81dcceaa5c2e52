import { DomainError } from '@edi/contracts';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { inCidr, parseCidr, parseIp, refusedRange, type Cidr } from './ip-ranges';

/** The setting that lists what may be called although it is not public. */
export const OUTBOUND_ALLOW_VARIABLE = 'EDI_OUTBOUND_ALLOWED_HOSTS';

/** An outbound call the policy will not make; the message says which address and why. */
export class OutboundRefused extends DomainError<'OUTBOUND_REFUSED'> {
  override readonly name = 'OutboundRefused';
  constructor(
    message: string,
    readonly host: string,
  ) {
    super('OUTBOUND_REFUSED', message);
  }
}

/** How a host name becomes addresses; dns.lookup (getaddrinfo, /etc/hosts included) unless a test gives another. */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

type AllowEntry =
  | { kind: 'name'; name: string; port?: number; text: string }
  | { kind: 'cidr'; cidr: Cidr; port?: number; text: string };

const NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * The one rule for every address the service calls out to (webhooks, partners' SFTP servers, the
 * ERP): public addresses are fine; loopback, private, link-local, metadata, multicast and reserved
 * ones only when listed. Checked on the resolved address, when the socket connects (see lookupFor),
 * so a name that resolved to a public address at save time cannot rebind to 127.0.0.1 later.
 */
export class OutboundPolicy {
  private constructor(
    private readonly entries: readonly AllowEntry[],
    private readonly resolver: Resolver,
    private readonly variable: string,
  ) {}

  /**
   * From a comma-separated list: `host`, `*.domain` (any name below it), an IP address, a CIDR
   * (`10.0.0.0/8`, `fd00::/8`), each name or address optionally with `:port` (`[::1]:8080`).
   * Throws naming the setting and the entry that is none of these.
   */
  static fromList(
    list: string | undefined,
    options: { resolver?: Resolver; variable?: string } = {},
  ): OutboundPolicy {
    const variable = options.variable ?? OUTBOUND_ALLOW_VARIABLE;
    const entries = (list ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean)
      .map((e) => parseEntry(e, variable));
    return new OutboundPolicy(entries, options.resolver ?? systemResolver, variable);
  }

  /** The same policy with more entries: the ERP's own hosts (EDI_ERP_ALLOWED_HOSTS) for ERP calls. */
  withHosts(hosts: readonly string[], variable = this.variable): OutboundPolicy {
    return new OutboundPolicy(
      [...this.entries, ...hosts.map((h) => parseEntry(h.trim().toLowerCase(), variable))],
      this.resolver,
      this.variable,
    );
  }

  /** The same policy resolving names another way (tests: a resolver that rebinds). */
  withResolver(resolver: Resolver): OutboundPolicy {
    return new OutboundPolicy(this.entries, resolver, this.variable);
  }

  /** Why connecting to `address` for `host`:`port` is refused; undefined when it is allowed. */
  refusal(host: string, port: number, address: string): string | undefined {
    const ip = parseIp(address);
    if (!ip) return `${address} is not an IP address`;
    const bad = refusedRange(ip);
    if (!bad) return undefined;
    const byPort = (e: AllowEntry) => e.port === undefined || e.port === port;
    if (this.entries.some((e) => e.kind === 'cidr' && byPort(e) && inCidr(ip, e.cidr))) return undefined;
    // a listed name is trusted whatever it resolves to, except the metadata address, which
    // only an address entry opens: a listed name whose DNS is taken over must not reach it
    if (bad.kind !== 'cloud metadata' && this.nameListed(host, port)) return undefined;
    const what = `a ${bad.kind} address (${bad.range})`;
    const subject =
      bareHost(host) === address ? `${address} is ${what}` : `${host} resolves to ${address}, ${what}`;
    return `${subject}: outbound calls there are refused unless ${this.variable} lists it`;
  }

  /**
   * The save-time check of a URL (webhookUrl): http(s) only, resolved now, every address allowed.
   * The connect-time check is the one that counts; this one makes a wrong URL a 400 at once.
   */
  async checkUrl(url: string): Promise<string | undefined> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `${url} is not a URL`;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      return `${u.protocol} URLs are not called: only http and https`;
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    return this.checkHost(u.hostname, port);
  }

  /** Resolves a host now and says why one of its addresses is refused (undefined: all allowed). */
  async checkHost(host: string, port: number): Promise<string | undefined> {
    try {
      await this.resolveChecked(host, port);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /**
   * The host's addresses, every one checked; throws OutboundRefused naming the first refused one.
   * A caller that connects by address (SFTP) connects to one of these, never to the name again.
   */
  async resolveChecked(host: string, port: number): Promise<LookupAddress[]> {
    const bare = bareHost(host);
    const family = isIP(bare);
    let addresses: LookupAddress[];
    if (family) addresses = [{ address: bare, family }];
    else {
      try {
        addresses = await this.resolver(bare);
      } catch (e) {
        throw new OutboundRefused(
          `${bare} does not resolve (${(e as { code?: string }).code ?? (e as Error).message})`,
          bare,
        );
      }
      if (!addresses.length) throw new OutboundRefused(`${bare} does not resolve`, bare);
    }
    // all or nothing: a name that answers with a public and a private address is not half-trusted
    for (const a of addresses) {
      const why = this.refusal(bare, port, a.address);
      if (why) throw new OutboundRefused(why, bare);
    }
    return addresses;
  }

  /**
   * A `lookup` for net/http/https/tls: the socket connects only to addresses this policy allowed,
   * resolved at that moment. Node skips lookup for an IP literal, so the caller checks those first
   * (guardedFetch does).
   */
  lookupFor(port: number): LookupFunction {
    return (hostname, options: LookupOptions, callback) => {
      this.resolveChecked(hostname, port).then(
        (all) => {
          const wanted = options.family ? all.filter((a) => a.family === options.family) : all;
          const first = wanted[0];
          if (!first)
            return callback(
              new OutboundRefused(`${hostname} has no IPv${options.family} address`, hostname),
              '',
              0,
            );
          if (options.all) callback(null, wanted);
          else callback(null, first.address, first.family);
        },
        (e: Error) => callback(e, '', 0),
      );
    };
  }

  private nameListed(host: string, port: number): boolean {
    const name = bareHost(host).replace(/\.$/, '');
    return this.entries.some(
      (e) =>
        e.kind === 'name' &&
        (e.port === undefined || e.port === port) &&
        (e.name.startsWith('*.') ? name.endsWith(e.name.slice(1)) : name === e.name),
    );
  }
}

/** URL.hostname keeps IPv6 in brackets; addresses come without. */
function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host.toLowerCase();
}

function parseEntry(text: string, variable: string): AllowEntry {
  const bad = () =>
    new DomainError(
      'misconfigured',
      `${variable}: '${text}' is not a host name, *.domain, IP address or CIDR (each optionally with :port)`,
    );
  const portOf = (p: string | undefined) => {
    if (p === undefined) return undefined;
    const n = /^\d{1,5}$/.test(p) ? Number(p) : 0;
    if (n < 1 || n > 65535) throw bad();
    return n;
  };
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  const cidr = (addr: string) =>
    parseCidr(addr) ??
    (() => {
      throw bad();
    })();
  if (bracketed) return { kind: 'cidr', cidr: cidr(bracketed[1]!), port: portOf(bracketed[2]), text };
  if (text.includes('/') || isIP(text) === 6) return { kind: 'cidr', cidr: cidr(text), text };
  const [host = '', port, extra] = text.split(':');
  if (extra !== undefined) throw bad();
  if (isIP(host) === 4) return { kind: 'cidr', cidr: cidr(host), port: portOf(port), text };
  if (!NAME.test(host) || /^[\d.]+$/.test(host)) throw bad();
  return { kind: 'name', name: host.replace(/\.$/, ''), port: portOf(port), text };
}
