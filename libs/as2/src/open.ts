import type { X509Certificate } from 'node:crypto';
import { cmsKind, decompress, decrypt, verifyDetached, type Cipher, type Identity } from './cms';
import { As2Error } from './errors';
import { computeMic, type HashName, type Mic } from './mic';
import { decodeBody, MimeError, parseContentType, parseEntity, splitMultipart, type Entity } from './mime';

export interface Opened {
  /** The EDI inside, as the partner sent it. */
  payload: Buffer;
  /** Its Content-Type (application/edi-x12, application/edifact, …). */
  contentType: string;
  /** Who signed it, with which digest; null when it came unsigned. */
  signer: { certificate: X509Certificate; hash: HashName } | null;
  encrypted: Cipher | null;
  compressed: boolean;
  /** For the receipt's Received-Content-MIC. */
  mic: Mic;
}

export interface OpenOptions {
  /** Our identities: the current one and, during a rollover, the next. */
  ours: readonly Identity[];
  /** The partner's certificates (also two during their rollover). */
  partnerCerts: readonly X509Certificate[];
  /** The digest the partner asked the MIC in (signed-receipt-micalg); default the signature's, else SHA-256. */
  micHash?: HashName | null;
  now?: Date;
}

/** S/MIME layers a message may hold: encrypted, compressed, signed, in any order, each once. */
const MAX_LAYERS = 4;

/**
 * Unwraps an AS2 message (RFC 4130 with RFC 5402 compression) layer by layer down to the EDI.
 * Throws As2Error whose code is the MDN disposition modifier for what went wrong.
 */
export function openMessage(message: Entity, options: OpenOptions): Opened {
  const now = options.now ?? new Date();
  let entity = message;
  let unsignedMicBytes = message.body;
  let signer: Opened['signer'] = null;
  let signedBytes: Buffer | null = null;
  let encrypted: Cipher | null = null;
  let compressed = false;
  for (let layer = 0; layer <= MAX_LAYERS; layer++) {
    const ct = parseContentType(entity.headers.get('content-type'));
    if (ct.type === 'multipart/signed') {
      if (signer) throw new As2Error('unexpected-processing-error', 'the message is signed twice');
      const [content, signaturePart] = mime(() => splitMultipart(entity.body, ct.params.boundary ?? ''));
      if (!content || !signaturePart)
        throw new As2Error(
          'authentication-failed',
          'multipart/signed needs two parts: content and signature',
        );
      const signature = mime(() => decodeBody(parseEntity(signaturePart)));
      const partnerCerts = usable(options.partnerCerts, now);
      const v = verifyDetached(signature, content, partnerCerts);
      signer = { certificate: v.signer, hash: v.hash };
      signedBytes = content;
      entity = mime(() => parseEntity(content));
      continue;
    }
    if (ct.type === 'application/pkcs7-mime' || ct.type === 'application/x-pkcs7-mime') {
      const der = mime(() => decodeBody(entity));
      const kind = cmsKind(der);
      let inner: Buffer;
      if (kind === 'enveloped') {
        if (encrypted) throw new As2Error('unexpected-processing-error', 'the message is encrypted twice');
        const d = decrypt(der, options.ours);
        encrypted = d.cipher;
        inner = d.content;
      } else if (kind === 'compressed') {
        if (compressed) throw new As2Error('unexpected-processing-error', 'the message is compressed twice');
        compressed = true;
        inner = decompress(der);
      } else {
        throw new As2Error(
          'unexpected-processing-error',
          `application/pkcs7-mime holding ${kind === 'signed' ? 'opaque signed-data (send multipart/signed)' : 'no CMS we know'}`,
        );
      }
      unsignedMicBytes = inner;
      entity = mime(() => parseEntity(inner));
      continue;
    }
    const payload = mime(() => decodeBody(entity));
    if (payload.length === 0) throw new As2Error('unexpected-processing-error', 'the message holds no EDI');
    const micHash = options.micHash ?? signer?.hash ?? 'sha256';
    return {
      payload,
      contentType: ct.type,
      signer,
      encrypted,
      compressed,
      mic: computeMic(signedBytes ?? unsignedMicBytes, micHash),
    };
  }
  throw new As2Error('unexpected-processing-error', `more than ${MAX_LAYERS} S/MIME layers`);
}

/** Certificates inside their validity; when none is, the signature is refused with the date that passed. */
function usable(certs: readonly X509Certificate[], now: Date): X509Certificate[] {
  if (certs.length === 0)
    throw new As2Error(
      'authentication-failed',
      'the message is signed but the partner has no certificate with us',
    );
  const valid = certs.filter((c) => new Date(c.validFrom) <= now && now <= new Date(c.validTo));
  if (valid.length === 0)
    throw new As2Error(
      'authentication-failed',
      `the partner's certificate is not valid now (valid ${certs.map((c) => `${c.validFrom} to ${c.validTo}`).join('; ')})`,
    );
  return valid;
}

/** A MIME structure error inside a layer is the content's integrity, as far as the partner is concerned. */
function mime<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MimeError) throw new As2Error('integrity-check-failed', `MIME: ${e.message}`);
    throw e;
  }
}
