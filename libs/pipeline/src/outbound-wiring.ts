import { allowedErpHosts, createErp, type FetchLike, type ResilientErp } from '@edi/erp';
import { guardedFetch, OutboundPolicy } from '@edi/transport';

/** The settings that say where the service may call out to (a slice of AppConfig). */
export interface OutboundSettings {
  EDI_ERP_CONFIG?: string;
  EDI_ERP_URL?: string;
  EDI_ERP_MAX_RESPONSE_BYTES?: number;
  EDI_ERP_ALLOWED_HOSTS?: string;
  EDI_OUTBOUND_ALLOWED_HOSTS?: string;
}

export interface Outbound {
  /** The service's own ERP, behind retries and a circuit breaker; undefined when none is set. */
  erp?: ResilientErp;
  /** Where partners' own ERP configurations may point (EDI_ERP_ALLOWED_HOSTS, else our ERP's host). */
  erpHosts: string[];
  /** The rule for webhooks and partners' SFTP servers. */
  outbound: OutboundPolicy;
  /** How every ERP request is made: checked against the policy as its socket connects. */
  erpTransport: FetchLike;
}

// send() holds each ERP call to the configuration's own timeout (at most 120 s) and answer cap
// (at most 64 MB); the guard's bounds sit just above, so they never cut a call send() allows
const ERP_GUARD = { timeoutMs: 130_000, maxResponseBytes: 64 * 1024 * 1024 + 1 };

/**
 * The ERP and the outbound policy, built one way for the API and the worker. ERP calls go through
 * the same policy as webhooks and SFTP, widened only by the hosts the ERP settings name: the
 * service's own ERP (the embedded sandbox on 127.0.0.1 included) and EDI_ERP_ALLOWED_HOSTS. A
 * partner's ERP configuration that names a host whose address later turns private is refused as
 * the request connects, not only when it was saved.
 */
export function outboundWiring(config: OutboundSettings): Outbound {
  const settings = {
    configFile: config.EDI_ERP_CONFIG,
    sandboxUrl: config.EDI_ERP_URL,
    maxResponseBytes: config.EDI_ERP_MAX_RESPONSE_BYTES,
  };
  const outbound = OutboundPolicy.fromList(config.EDI_OUTBOUND_ALLOWED_HOSTS);
  const ownErp = allowedErpHosts(undefined, settings);
  const erpHosts = allowedErpHosts(config.EDI_ERP_ALLOWED_HOSTS, settings);
  const erpPolicy = outbound.withHosts([...new Set([...ownErp, ...erpHosts])], 'EDI_ERP_ALLOWED_HOSTS');
  const erpTransport = guardedFetch(erpPolicy, ERP_GUARD);
  return { erp: createErp({ ...settings, transport: erpTransport }), erpHosts, outbound, erpTransport };
}
