import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HttpErpAdapter, HttpErpConfig, withEnvironment } from './http-adapter';
import type { ErpAdapter } from './port';
import { sandboxJsonConfig } from './presets';
import { ResilientErp, type ResilienceOptions } from './resilient';

/** How the service reaches its ERP: the sandbox at a URL, or a configuration file (JSON or YAML). */
export interface ErpSettings {
  /** EDI_ERP_CONFIG: a file describing an http-json or http-xml ERP. */
  configFile?: string;
  /** EDI_ERP_URL: the sandbox's base URL (used when there is no configuration file). */
  sandboxUrl?: string;
  resilience?: ResilienceOptions;
}

export function loadErpConfig(file: string): HttpErpConfig {
  const text = readFileSync(file, 'utf8');
  const raw: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parse(text);
  return HttpErpConfig.parse(withEnvironment(raw));
}

/** The configured ERP with retries and a circuit breaker around it; undefined when none is configured. */
export function createErp(settings: ErpSettings): ResilientErp | undefined {
  let inner: ErpAdapter | undefined;
  if (settings.configFile) inner = new HttpErpAdapter(loadErpConfig(settings.configFile));
  else if (settings.sandboxUrl) inner = new HttpErpAdapter(sandboxJsonConfig(settings.sandboxUrl));
  return inner && new ResilientErp(inner, settings.resilience);
}

/** A partner's own ERP configuration (rules.erp), inline, with ${ENV} secrets. */
export function partnerErp(config: unknown, resilience?: ResilienceOptions): ResilientErp {
  return new ResilientErp(new HttpErpAdapter(HttpErpConfig.parse(withEnvironment(config))), resilience);
}
