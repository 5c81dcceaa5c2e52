import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Identity } from './cms';
import { As2IdentityError } from './errors';

/** Our key and certificate from PEM text; the key must be the certificate's. */
export function identityFromPem(keyPem: string | Buffer, certPem: string | Buffer): Identity {
  const key = createPrivateKey(keyPem);
  const certificate = new X509Certificate(certPem);
  if (!certificate.checkPrivateKey(key))
    throw new As2IdentityError(
      `the AS2 key does not belong to the certificate ${certificate.subject.replace(/\n/g, ', ')}`,
    );
  if (key.asymmetricKeyType !== 'rsa')
    throw new As2IdentityError('the AS2 key must be RSA (what S/MIME partners use)');
  return { key, certificate };
}

/** Every certificate in a PEM text (a partner may give two during their rollover). */
export function certificatesFromPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** Ours: the current key and certificate, and during a rollover the next ones, both accepted. */
export interface OurIdentities {
  current: Identity;
  next: Identity | null;
}

export interface IdentityFiles {
  keyFile?: string;
  certFile?: string;
  nextKeyFile?: string;
  nextCertFile?: string;
}

/** Reads our AS2 key and certificate files; none set = AS2 is off (null). A half-set pair is an error. */
export function loadIdentities(
  files: IdentityFiles,
  read: (path: string) => Buffer = readFileSync,
): OurIdentities | null {
  const pair = (key: string | undefined, cert: string | undefined, what: string): Identity | null => {
    if (!key && !cert) return null;
    if (!key || !cert)
      throw new As2IdentityError(`${what}: both the key file and the certificate file must be set`);
    try {
      return identityFromPem(read(key), read(cert));
    } catch (e) {
      throw new As2IdentityError(`${what} (${key}, ${cert}): ${(e as Error).message}`);
    }
  };
  const current = pair(files.keyFile, files.certFile, 'EDI_AS2_KEY_FILE / EDI_AS2_CERT_FILE');
  const next = pair(files.nextKeyFile, files.nextCertFile, 'EDI_AS2_NEXT_KEY_FILE / EDI_AS2_NEXT_CERT_FILE');
  if (!current) {
    if (next)
      throw new As2IdentityError(
        'EDI_AS2_NEXT_KEY_FILE is set without EDI_AS2_KEY_FILE: the next identity needs a current one',
      );
    return null;
  }
  return { current, next };
}

/** Ours in the order to try them on what arrives: the current one first. */
export function identityList(ours: OurIdentities): Identity[] {
  return ours.next ? [ours.current, ours.next] : [ours.current];
}
