import type { X509Certificate } from 'node:crypto';

export interface CertificateView {
  subject: string;
  validFrom: string;
  validTo: string;
  /** Negative once expired; the console warns from 30. */
  daysLeft: number;
  fingerprint256: string;
}

export function certificateView(c: X509Certificate, now = new Date()): CertificateView {
  return {
    subject: c.subject.replace(/\n/g, ', '),
    validFrom: new Date(c.validFrom).toISOString(),
    validTo: new Date(c.validTo).toISOString(),
    daysLeft: Math.floor((new Date(c.validTo).getTime() - now.getTime()) / 86_400_000),
    fingerprint256: c.fingerprint256,
  };
}
