import type { X509Certificate } from 'node:crypto';
import { signDetached, verifyDetached, type Identity } from './cms';
import { signaturePart } from './compose';
import { As2Error, type As2ErrorCode } from './errors';
import { formatMic, HASHES, parseMic, type HashName, type Mic } from './mic';
import {
  buildEntity,
  buildMultipart,
  decodeBody,
  newBoundary,
  parseContentType,
  parseEntity,
  splitMultipart,
  type Entity,
} from './mime';

export interface MdnInput {
  /** The message this answers, without angle brackets. */
  originalMessageId: string;
  /** Our AS2 name: Final-Recipient. */
  ourName: string;
  /** null = processed; otherwise the error the Disposition names. */
  error: As2ErrorCode | null;
  /** A sentence for the person reading the receipt's text part. */
  explanation: string;
  mic: Mic | null;
  /** Signed when the sender asked for it and we have a key. */
  sign?: { identity: Identity; hash: HashName };
}

export interface BuiltMdn {
  headers: [string, string][];
  body: Buffer;
}

/** A receipt (RFC 3798 disposition notification in RFC 3462 multipart/report, RFC 4130 7.4). */
export async function buildMdn(input: MdnInput): Promise<BuiltMdn> {
  const fields = [
    `Reporting-UA: edi-translator`,
    `Original-Recipient: rfc822; ${input.ourName}`,
    `Final-Recipient: rfc822; ${input.ourName}`,
    `Original-Message-ID: <${input.originalMessageId}>`,
    ...(input.mic ? [`Received-Content-MIC: ${formatMic(input.mic)}`] : []),
    `Disposition: automatic-action/MDN-sent-automatically; ${input.error ? `processed/error: ${input.error}` : 'processed'}`,
  ];
  const boundary = newBoundary();
  const report = buildMultipart(boundary, [
    buildEntity(
      [['Content-Type', 'text/plain; charset=us-ascii']],
      Buffer.from(`${input.explanation}\r\n`, 'latin1'),
    ),
    buildEntity(
      [['Content-Type', 'message/disposition-notification']],
      Buffer.from(fields.map((f) => `${f}\r\n`).join(''), 'latin1'),
    ),
  ]);
  const reportType = `multipart/report; report-type=disposition-notification; boundary="${boundary}"`;
  if (!input.sign) return { headers: [['Content-Type', reportType]], body: report };
  const signed = buildEntity([['Content-Type', reportType]], report);
  const signature = await signDetached(signed, input.sign.identity, input.sign.hash);
  const outer = newBoundary();
  return {
    headers: [
      [
        'Content-Type',
        `multipart/signed; protocol="application/pkcs7-signature"; micalg=${HASHES[input.sign.hash].micalg}; boundary="${outer}"`,
      ],
    ],
    body: buildMultipart(outer, [signed, signaturePart(signature)]),
  };
}

export interface ReadMdn {
  originalMessageId: string | null;
  /** The Disposition field as sent. */
  disposition: string;
  /** processed (or processed with a warning): the partner took the message. */
  processed: boolean;
  /** The error or failure the disposition names, if any. */
  problem: string | null;
  mic: Mic | null;
  /** The certificate that signed it; null when it came unsigned. */
  signer: X509Certificate | null;
}

/** Reads a receipt a partner sent us; a signature is checked against their certificates. */
export function readMdn(entity: Entity, partnerCerts: readonly X509Certificate[]): ReadMdn {
  let current = entity;
  let signer: X509Certificate | null = null;
  let ct = parseContentType(current.headers.get('content-type'));
  if (ct.type === 'multipart/signed') {
    const [content, sigPart] = splitMultipart(current.body, ct.params.boundary ?? '');
    if (!content || !sigPart)
      throw new As2Error('authentication-failed', 'the signed receipt has no signature part');
    signer = verifyDetached(decodeBody(parseEntity(sigPart)), content, partnerCerts).signer;
    current = parseEntity(content);
    ct = parseContentType(current.headers.get('content-type'));
  }
  if (ct.type !== 'multipart/report')
    throw new As2Error('unexpected-processing-error', `a receipt is multipart/report, not ${ct.type}`);
  const notification = splitMultipart(current.body, ct.params.boundary ?? '')
    .map((p) => parseEntity(p))
    .find((p) => parseContentType(p.headers.get('content-type')).type === 'message/disposition-notification');
  if (!notification)
    throw new As2Error(
      'unexpected-processing-error',
      'the receipt has no message/disposition-notification part',
    );
  const body = decodeBody(notification);
  const fields = parseEntity(Buffer.concat([body, Buffer.from('\r\n\r\n')])).headers;
  const disposition = fields.get('disposition') ?? '';
  const outcome = disposition.split(';')[1]?.trim() ?? '';
  const [kind, problem] = outcome.split(':').map((s) => s.trim());
  const modifier = kind?.split('/')[1]?.toLowerCase() ?? '';
  const mic = fields.get('received-content-mic');
  return {
    originalMessageId: fields.get('original-message-id')?.replace(/^<|>$/g, '') ?? null,
    disposition,
    processed:
      kind?.toLowerCase().startsWith('processed') === true && (modifier === '' || modifier === 'warning'),
    problem: modifier === '' || modifier === 'warning' ? null : `${modifier}: ${problem ?? ''}`.trim(),
    mic: mic ? parseMic(mic) : null,
    signer,
  };
}

/**
 * Whether a receipt confirms what we sent: for that Message-ID, processed, with the MIC we computed,
 * signed when we asked for a signed one. The reason says what was wrong, for the delivery log.
 */
export function judgeReceipt(
  mdn: ReadMdn,
  sent: { messageId: string; mic: Mic | null; signed: boolean },
): { ok: true } | { ok: false; reason: string } {
  if (mdn.originalMessageId !== null && mdn.originalMessageId !== sent.messageId)
    return { ok: false, reason: `the receipt is for ${mdn.originalMessageId}, not ${sent.messageId}` };
  if (sent.signed && !mdn.signer)
    return { ok: false, reason: 'we asked for a signed receipt and it is unsigned' };
  if (!mdn.processed) return { ok: false, reason: `the partner answered ${mdn.problem ?? mdn.disposition}` };
  if (sent.mic && !mdn.mic) return { ok: false, reason: 'the receipt has no Received-Content-MIC' };
  if (sent.mic && mdn.mic && !(mdn.mic.hash === sent.mic.hash && mdn.mic.digest === sent.mic.digest))
    return {
      ok: false,
      reason: `the receipt's MIC ${formatMic(mdn.mic)} is not ours ${formatMic(sent.mic)}: the partner received something else`,
    };
  return { ok: true };
}
