import { createHash } from 'node:crypto';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Each digest by its names: the micalg token (RFC 5751 spells "sha-256"; RFC 3851 and many partners "sha1"), OID, Node, WebCrypto. */
export const HASHES: Record<HashName, { micalg: string; oid: string; node: string; webcrypto: string }> = {
  sha1: { micalg: 'sha1', oid: '1.3.14.3.2.26', node: 'sha1', webcrypto: 'SHA-1' },
  sha256: { micalg: 'sha-256', oid: '2.16.840.1.101.3.4.2.1', node: 'sha256', webcrypto: 'SHA-256' },
  sha384: { micalg: 'sha-384', oid: '2.16.840.1.101.3.4.2.2', node: 'sha384', webcrypto: 'SHA-384' },
  sha512: { micalg: 'sha-512', oid: '2.16.840.1.101.3.4.2.3', node: 'sha512', webcrypto: 'SHA-512' },
};

/** A micalg or Received-Content-MIC algorithm token, in any of its spellings; null when not one we do. */
export function hashByName(token: string): HashName | null {
  const t = token.trim().toLowerCase().replace(/-/g, '');
  if (t === 'sha1' || t === 'sha') return 'sha1';
  if (t === 'sha256' || t === 'sha384' || t === 'sha512') return t;
  return null;
}

export interface Mic {
  /** base64 of the digest */
  digest: string;
  hash: HashName;
}

/** The Message Integrity Check the receipt returns (RFC 4130 7.3.1): a digest of what was signed, or of the content. */
export function computeMic(bytes: Buffer, hash: HashName): Mic {
  return { digest: createHash(HASHES[hash].node).update(bytes).digest('base64'), hash };
}

/** `Received-Content-MIC: <base64>, <alg>` */
export function formatMic(mic: Mic): string {
  return `${mic.digest}, ${HASHES[mic.hash].micalg}`;
}

export function parseMic(value: string): Mic | null {
  const comma = value.lastIndexOf(',');
  if (comma < 0) return null;
  const hash = hashByName(value.slice(comma + 1));
  const digest = value.slice(0, comma).trim();
  return hash && /^[A-Za-z0-9+/]+=*$/.test(digest) ? { digest, hash } : null;
}

export function sameMic(a: Mic, b: Mic): boolean {
  return a.hash === b.hash && a.digest === b.digest;
}
