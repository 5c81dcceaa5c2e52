import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Identity } from './cms';

/** Our key and certificate from PEM text; the key must be the certificate's. */
export function identityFromPem(keyPem: string | Buffer, certPem: string | Buffer): Identity {
  const key = createPrivateKey(keyPem);
  const certificate = new X509Certificate(certPem);
  if (!certificate.checkPrivateKey(key))
    throw new Error(
      `the AS2 key does not belong to the certificate ${certificate.subject.replace(/\n/g, ', ')}`,
    );
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the AS2 key must be RSA (what S/MIME partners use)');
  return { key, certificate };
}

/** Every certificate in a PEM text (a partner may give two during their rollover). */
export function certificatesFromPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}
