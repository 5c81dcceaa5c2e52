import type { TradingPartner } from '@edi/persistence';

/** A partner as the API shows it: the webhook secret only as whether one is set, ERP credentials hidden. */
export function partnerView({ webhookSecret, sftp, sftpLeaseUntil: _lease, ...p }: TradingPartner) {
  const erp = (p.rules as { erp?: { auth?: Record<string, unknown> } } | null)?.erp;
  const rules = erp?.auth
    ? {
        ...p.rules,
        erp: {
          ...erp,
          auth: Object.fromEntries(
            Object.entries(erp.auth).map(([k, v]) => [
              k,
              ['value', 'token', 'clientSecret'].includes(k) ? '***' : v,
            ]),
          ),
        },
      }
    : p.rules;
  return { ...p, rules, webhookSigned: !!webhookSecret, sftpConfigured: !!sftp };
}
