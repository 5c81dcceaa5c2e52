import type { X509Certificate } from 'node:crypto';
import { compress, encrypt, signDetached, type Cipher, type Identity, type KeyEncryption } from './cms';
import { computeMic, HASHES, type HashName, type Mic } from './mic';
import { base64Lines, buildEntity, buildMultipart, newBoundary } from './mime';

export interface ComposeOptions {
  /** application/edi-x12 for X12. */
  contentType: string;
  filename?: string;
  /**
   * Of the EDI part and the encrypted part. binary (default) sends them as they are; base64
   * survives receivers that rewrite line ends inside a signed part (OpenSSL's S/MIME reader turns
   * every LF into CRLF, breaking the signature) or read bodies as text (libas2's MIME parser).
   */
  transferEncoding?: 'binary' | 'base64';
  compress?: boolean;
  sign?: { identity: Identity; hash: HashName };
  encrypt?: { certificate: X509Certificate; cipher: Cipher; keyEncryption?: KeyEncryption };
}

export interface Composed {
  /** The outer entity's headers, which go out as HTTP headers. */
  headers: [string, string][];
  body: Buffer;
  /** What the partner's receipt must return as Received-Content-MIC. */
  mic: Mic;
}

type Layer = { headers: [string, string][]; body: Buffer };

const whole = (l: Layer) => buildEntity(l.headers, l.body);

/**
 * Wraps EDI for AS2: compressed (RFC 5402, before signing so the signature covers what was sent),
 * signed (multipart/signed, detached), then encrypted, each only when asked.
 */
export async function composeMessage(payload: Buffer, options: ComposeOptions): Promise<Composed> {
  let layer: Layer = {
    headers: [
      ['Content-Type', options.contentType],
      ['Content-Transfer-Encoding', options.transferEncoding ?? 'binary'],
      [
        'Content-Disposition',
        `attachment; filename="${(options.filename ?? 'message.edi').replace(/"/g, '')}"`,
      ],
    ],
    body: options.transferEncoding === 'base64' ? base64Lines(payload) : payload,
  };
  const encoded = (b: Buffer) => (options.transferEncoding === 'base64' ? base64Lines(b) : b);
  let micBytes = whole(layer);
  if (options.compress) {
    layer = {
      headers: [
        ['Content-Type', 'application/pkcs7-mime; smime-type=compressed-data; name="smime.p7z"'],
        // base64: a signer that canonicalises line ends (OpenSSL does by default) would break binary DER
        ['Content-Transfer-Encoding', 'base64'],
        ['Content-Disposition', 'attachment; filename="smime.p7z"'],
      ],
      body: base64Lines(compress(whole(layer))),
    };
  }
  if (options.sign) {
    const signed = whole(layer);
    micBytes = signed;
    const signature = await signDetached(signed, options.sign.identity, options.sign.hash);
    const boundary = newBoundary();
    layer = {
      headers: [
        [
          'Content-Type',
          `multipart/signed; protocol="application/pkcs7-signature"; micalg=${HASHES[options.sign.hash].micalg}; boundary="${boundary}"`,
        ],
      ],
      body: buildMultipart(boundary, [signed, signaturePart(signature)]),
    };
  }
  if (options.encrypt) {
    const e = options.encrypt;
    layer = {
      headers: [
        ['Content-Type', 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'],
        ['Content-Transfer-Encoding', options.transferEncoding ?? 'binary'],
        ['Content-Disposition', 'attachment; filename="smime.p7m"'],
      ],
      body: encoded(encrypt(whole(layer), e.certificate, e.cipher, e.keyEncryption)),
    };
  }
  const hash = options.sign?.hash ?? 'sha256';
  return { headers: layer.headers, body: layer.body, mic: computeMic(micBytes, hash) };
}

export function signaturePart(signature: Buffer): Buffer {
  return buildEntity(
    [
      ['Content-Type', 'application/pkcs7-signature; name="smime.p7s"'],
      ['Content-Transfer-Encoding', 'base64'],
      ['Content-Disposition', 'attachment; filename="smime.p7s"'],
    ],
    base64Lines(signature),
  );
}
