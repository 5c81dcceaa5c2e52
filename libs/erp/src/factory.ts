import { DomainError } from '@edi/contracts';
import { processEnvironment } from '@edi/config';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HttpErpAdapter, HttpErpConfig, withEnvironment } from './http-adapter';
import type { ErpAdapter } from './port';
import type { FetchLike } from './send';
import { sandboxJsonConfig } from './presets';
import { ResilientErp, type ResilienceOptions } from './resilient';

/** How the service reaches its ERP: the sandbox at a URL, or a configuration file (JSON or YAML). */
export interface ErpSettings {
  /** EDI_ERP_CONFIG: a file describing an http-json or http-xml ERP. */
  configFile?: string;
  /** EDI_ERP_URL: the sandbox's base URL (used when there is no configuration file). */
  sandboxUrl?: string;
  /** EDI_ERP_MAX_RESPONSE_BYTES: the largest answer read; a configuration file may set its own. */
  maxResponseBytes?: number;
  /** Makes the ERP's requests (the outbound policy's guarded fetch); the global fetch when absent. */
  transport?: FetchLike;
  resilience?: ResilienceOptions;
}

export function loadErpConfig(file: string, defaults: Partial<HttpErpConfig> = {}): HttpErpConfig {
  const text = readFileSync(file, 'utf8');
  const raw: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parse(text);
  return HttpErpConfig.parse({ ...defaults, ...(withEnvironment(raw) as object) });
}

/** The configured ERP with retries and a circuit breaker around it; undefined when none is configured. */
export function createErp(settings: ErpSettings): ResilientErp | undefined {
  let inner: ErpAdapter | undefined;
  const defaults = settings.maxResponseBytes ? { maxResponseBytes: settings.maxResponseBytes } : {};
  if (settings.configFile)
    inner = new HttpErpAdapter(loadErpConfig(settings.configFile, defaults), settings.transport);
  else if (settings.sandboxUrl)
    inner = new HttpErpAdapter(
      { ...sandboxJsonConfig(settings.sandboxUrl), ...defaults },
      settings.transport,
    );
  return inner && new ResilientErp(inner, settings.resilience);
}

/**
 * A partner's own ERP configuration (rules.erp). It comes in through the admin API, so it may read
 * only environment variables named ERP_* (its own secrets), never the service's (EDI_SECRETS_KEY,
 * DATABASE_URL…).
 */
export const PARTNER_ENV = /^ERP_[A-Z0-9_]+$/;

export function partnerErp(
  config: unknown,
  resilience?: ResilienceOptions,
  allowedHosts?: readonly string[],
  transport?: FetchLike,
): ResilientErp {
  const refused = allowedHosts && refusedHost(config, allowedHosts);
  if (refused) throw new DomainError('misconfigured', refused);
  return new ResilientErp(
    new HttpErpAdapter(
      HttpErpConfig.parse(withEnvironment(config, processEnvironment(), PARTNER_ENV)),
      transport,
    ),
    resilience,
  );
}

/**
 * Where a partner's ERP configuration may connect: EDI_ERP_ALLOWED_HOSTS, each entry a host
 * (its default port, 80 or 443), host:port, or *.domain[:port] for any host below it; else only
 * the host and port of the service's own ERP. A partner's configuration comes through the admin
 * API; without a list it could make the service call anything it can reach (a cloud metadata
 * address, Redis on localhost).
 */
export function allowedErpHosts(list: string | undefined, settings: ErpSettings): string[] {
  if (list)
    return list
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
  const own = settings.configFile
    ? loadErpConfig(settings.configFile)
    : settings.sandboxUrl
      ? sandboxJsonConfig(settings.sandboxUrl)
      : undefined;
  return own ? configOrigins(own) : [];
}

/**
 * Why a partner's ERP configuration may not be used, naming where it would connect; undefined
 * when every URL in it is allowed. Checked with its ERP_* variables filled in, as it will run.
 */
export function refusedHost(config: unknown, allowed: readonly string[]): string | undefined {
  let filled: unknown;
  try {
    filled = withEnvironment(config, processEnvironment(), PARTNER_ENV);
  } catch {
    return undefined; // a missing or forbidden variable is reported on its own
  }
  const parsed = HttpErpConfig.safeParse(filled);
  if (!parsed.success) return undefined; // its shape is checked (and reported) on its own
  const bad = configOrigins(parsed.data).find((h) => !hostAllowed(h, allowed));
  return bad
    ? `rules.erp may not call ${bad}: allowed ERP hosts are ${allowed.length ? allowed.join(', ') : 'none'} (EDI_ERP_ALLOWED_HOSTS)`
    : undefined;
}

/** host:port of every URL the configuration connects to (the port written out even when default). */
function configOrigins(config: HttpErpConfig): string[] {
  const urls = [config.baseUrl, ...(config.auth?.type === 'oauth2' ? [config.auth.tokenUrl] : [])];
  return [...new Set(urls.map(hostPort))];
}

function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname.toLowerCase()}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

function hostAllowed(target: string, allowed: readonly string[]): boolean {
  const cut = target.lastIndexOf(':');
  const [host, port] = [target.slice(0, cut), target.slice(cut + 1)];
  return allowed.some((entry) => {
    const m = /^(.*?)(?::(\d+))?$/.exec(entry)!;
    const [name, want] = [m[1]!, m[2]];
    if (want ? want !== port : port !== '80' && port !== '443') return false;
    return name.startsWith('*.') ? host.endsWith(name.slice(1)) : host === name;
  });
}

/** Checks a partner's ERP configuration when it is set: its shape, and which variables it names. */
export function checkPartnerErp(config: unknown): string | undefined {
  const parsed = HttpErpConfig.safeParse(config);
  if (!parsed.success)
    return parsed.error.issues.map((i) => `rules.erp.${i.path.join('.')}: ${i.message}`).join('; ');
  const names = [...JSON.stringify(config).matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
  const bad = names.filter((n) => !PARTNER_ENV.test(n));
  if (bad.length) return `rules.erp may read only ERP_* environment variables, not ${bad.join(', ')}`;
  return undefined;
}
