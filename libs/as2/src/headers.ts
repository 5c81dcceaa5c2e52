import { randomBytes } from 'node:crypto';
import { hashByName, HASHES, type HashName } from './mic';

/** RFC 4130 6.2: an AS2 name is 1-128 printable ASCII characters, quoted when it holds a space or a special. */
export function parseAs2Name(value: string | undefined): string | null {
  if (value === undefined) return null;
  let v = value.trim();
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
  return /^[\x20-\x7e]{1,128}$/.test(v) ? v : null;
}

export function formatAs2Name(name: string): string {
  return /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** `<unique@domain>`: the partner uses it to match our receipt or message, and to drop repeats. */
export function newMessageId(domain = 'edi-gateway'): string {
  return `<${Date.now()}.${randomBytes(12).toString('hex')}@${domain}>`;
}

/** A Message-ID without its angle brackets (stored and compared so; the brackets are optional in practice). */
export function bareMessageId(value: string | undefined): string | null {
  const v = value?.trim().replace(/^<|>$/g, '') ?? '';
  return /^[\x21-\x7e]{1,250}$/.test(v) ? v : null;
}

export interface ReceiptRequest {
  /** Disposition-Notification-To was sent: a receipt is wanted. */
  wanted: boolean;
  /** signed-receipt-protocol=…, pkcs7-signature */
  signed: boolean;
  /** The first signed-receipt-micalg we can compute; null = not asked. */
  micHash: HashName | null;
  /** Receipt-Delivery-Option: where an asynchronous receipt goes; null = in this HTTP answer. */
  asyncUrl: string | null;
}

/**
 * What receipt the sender asked for (RFC 4130 7.3): `signed-receipt-protocol=optional, pkcs7-signature;
 * signed-receipt-micalg=optional, sha-256, sha1`.
 */
export function receiptRequest(headers: Map<string, string>): ReceiptRequest {
  const options = headers.get('disposition-notification-options') ?? '';
  let signed = false;
  let micHash: HashName | null = null;
  for (const part of options.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const values = part
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim().toLowerCase());
    if (name === 'signed-receipt-protocol') signed = values.slice(1).includes('pkcs7-signature');
    if (name === 'signed-receipt-micalg')
      micHash =
        values
          .slice(1)
          .map(hashByName)
          .find((h): h is HashName => h !== null) ?? null;
  }
  const asyncUrl = headers.get('receipt-delivery-option')?.trim() || null;
  return { wanted: headers.has('disposition-notification-to'), signed, micHash, asyncUrl };
}

/** The header asking a partner for a signed receipt with the MIC in `hash`. */
export function receiptOptions(hash: HashName): string {
  return `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, ${HASHES[hash].micalg}`;
}
