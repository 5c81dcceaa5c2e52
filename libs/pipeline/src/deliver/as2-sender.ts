import { DomainError } from '@edi/contracts';
import type { X509Certificate } from 'node:crypto';
import {
  bareMessageId,
  certificatesFromPem,
  composeMessage,
  type Composed,
  formatAs2Name,
  formatMic,
  judgeReceipt,
  loadIdentities,
  newMessageId,
  parseMic,
  readMdn,
  receiptOptions,
  type OurIdentities,
} from '@edi/as2';
import { As2Store, type As2Message, type As2Partner, type OutboundDocument } from '@edi/persistence';
import { guardedFetch, type GuardedFetch, type OutboundPolicy } from '@edi/transport';
import { outboundBytes } from '@edi/x12';
import type { DataSource } from 'typeorm';

export interface As2Attempt {
  ok: boolean;
  statusCode: number | null;
  detail: string;
}

/** The settings our AS2 identity is read from (a slice of AppConfig). */
export interface As2Settings {
  EDI_AS2_KEY_FILE?: string;
  EDI_AS2_CERT_FILE?: string;
  EDI_AS2_NEXT_KEY_FILE?: string;
  EDI_AS2_NEXT_CERT_FILE?: string;
  EDI_AS2_RECEIPT_URL?: string;
}

/** Our AS2 key and certificate(s) from the files the configuration names; null when AS2 is not set up. */
export function as2Identities(config: As2Settings): OurIdentities | null {
  return loadIdentities({
    keyFile: config.EDI_AS2_KEY_FILE,
    certFile: config.EDI_AS2_CERT_FILE,
    nextKeyFile: config.EDI_AS2_NEXT_KEY_FILE,
    nextCertFile: config.EDI_AS2_NEXT_CERT_FILE,
  });
}

/** An asynchronous receipt is looked for this often while a delivery waits on it. */
const RECEIPT_POLL_MS = 250;

/**
 * The deliver stage's AS2 channel: the document signed, encrypted and compressed as the partner's
 * settings say, POSTed to their URL, and delivered only when their receipt says processed with
 * our MIC. Anything else (no receipt in the window, an error disposition, another MIC) is a
 * failed attempt with its reason, which the deliver queue retries with backoff and then holds.
 */
export class As2Sender {
  private readonly store: As2Store;
  private readonly post: GuardedFetch;

  constructor(
    ds: DataSource,
    private readonly ours: OurIdentities | null,
    outbound: OutboundPolicy,
    private readonly options: { receiptUrl?: string; clock?: () => Date; timeoutMs?: number } = {},
  ) {
    this.store = new As2Store(ds);
    // a synchronous receipt comes in the answer: a partner that decrypts and checks a large file takes a while
    this.post = guardedFetch(outbound, {
      timeoutMs: options.timeoutMs ?? 120_000,
      maxResponseBytes: 1024 * 1024,
    });
  }

  async send(doc: OutboundDocument): Promise<As2Attempt> {
    const ours = this.ours;
    if (!ours)
      throw new DomainError(
        'misconfigured',
        'AS2 is not set up here: EDI_AS2_KEY_FILE and EDI_AS2_CERT_FILE',
      );
    const settings = await this.store.settings(doc.partnerId);
    if (!settings?.url) throw new DomainError('misconfigured', 'the partner has no AS2 settings with a URL');
    const theirs = certificatesFromPem(settings.certificates);
    const composed = await this.composeMessage(doc, settings, ours, theirs);
    const messageId = newMessageId();
    const headers = this.headers(doc, settings, messageId, composed);
    // stored before the POST, so an asynchronous receipt that beats the HTTP answer finds its message
    const { message } = await this.store.store(
      {
        partnerId: doc.partnerId,
        direction: 'out',
        messageId: bareMessageId(messageId)!,
        status: 'sent',
        headers,
        mic: formatMic(composed.mic),
        documentId: doc.id,
      },
      composed.body,
    );
    const res = await this.post(settings.url, { method: 'POST', headers, body: composed.body });
    const answer = Buffer.from(await res.arrayBuffer());
    if (!res.ok) return this.refused(message, res.status, answer);
    if (settings.mdn === 'none') {
      await this.store.update(message.id, { status: 'acknowledged' });
      return {
        ok: true,
        statusCode: res.status,
        detail: `AS2 ${message.messageId}: HTTP ${res.status}, no receipt asked`,
      };
    }
    if (settings.mdn === 'async')
      return this.awaitReceipt(message.id, message.messageId, settings.mdnTimeoutSeconds);
    return this.recordSyncReceipt(message, settings, composed, theirs, res, answer);
  }

  /** The document as the partner's settings ask: signed with the identity they trust, encrypted to their current certificate. */
  private composeMessage(
    doc: OutboundDocument,
    settings: As2Partner,
    ours: OurIdentities,
    theirs: X509Certificate[],
  ): Promise<Composed> {
    // checked even when nothing is encrypted: an expired partner certificate stops the delivery either way
    const certificate = this.current(theirs);
    const identity = settings.ourCertificate === 'next' && ours.next ? ours.next : ours.current;
    return composeMessage(outboundBytes(doc), {
      contentType: 'application/edi-x12',
      // our X12 has a line break after each segment: binary would not survive a receiver that rewrites line ends
      transferEncoding: 'base64',
      filename: `${doc.kind.replace('+', '-')}-${doc.controlNumber}.x12`,
      compress: settings.compress,
      sign: settings.signHash ? { identity, hash: settings.signHash } : undefined,
      encrypt: settings.cipher
        ? {
            certificate,
            cipher: settings.cipher,
            keyEncryption: settings.keyEncryption,
          }
        : undefined,
    });
  }

  /** The AS2 headers, with the receipt request the partner's settings call for. */
  private headers(
    doc: OutboundDocument,
    settings: As2Partner,
    messageId: string,
    composed: Composed,
  ): Record<string, string> {
    const headers: Record<string, string> = {
      'as2-version': '1.2',
      'as2-from': formatAs2Name(settings.ourAs2Name),
      'as2-to': formatAs2Name(settings.as2Name),
      'message-id': messageId,
      subject: `${doc.kind} ${doc.controlNumber}`,
      'mime-version': '1.0',
      ...Object.fromEntries(composed.headers.map(([k, v]) => [k.toLowerCase(), v])),
    };
    if (settings.mdn === 'none') return headers;
    headers['disposition-notification-to'] = settings.ourAs2Name;
    if (settings.mdnSigned)
      headers['disposition-notification-options'] = receiptOptions(settings.signHash ?? 'sha256');
    if (settings.mdn === 'async') {
      if (!this.options.receiptUrl)
        throw new DomainError('misconfigured', 'an asynchronous receipt needs EDI_AS2_RECEIPT_URL');
      headers['receipt-delivery-option'] = this.options.receiptUrl;
    }
    return headers;
  }

  /** The partner's server answered with an HTTP error: the attempt fails with the start of its body. */
  private async refused(message: As2Message, status: number, answer: Buffer): Promise<As2Attempt> {
    const detail = `AS2 ${message.messageId}: HTTP ${status} ${answer.toString('utf8').slice(0, 200)}`.trim();
    await this.store.update(message.id, { status: 'failed', error: detail });
    return { ok: false, statusCode: status, detail };
  }

  /** Reads the receipt in the HTTP answer and records it; delivered only when it confirms our MIC. */
  private async recordSyncReceipt(
    message: As2Message,
    settings: As2Partner,
    composed: Composed,
    theirs: X509Certificate[],
    res: Response,
    answer: Buffer,
  ): Promise<As2Attempt> {
    const mdnHeaders = Object.fromEntries(res.headers.entries());
    const verdict = this.judge(message, settings, composed, theirs, mdnHeaders, answer);
    await this.store.update(
      message.id,
      {
        status: verdict.ok ? 'acknowledged' : 'failed',
        disposition: verdict.disposition ?? null,
        error: verdict.reason ?? null,
        mdnHeaders,
      },
      answer,
    );
    return {
      ok: verdict.ok,
      statusCode: res.status,
      detail: `AS2 ${message.messageId}: ${verdict.ok ? `processed, MIC ${formatMic(composed.mic)} confirmed` : verdict.reason}`,
    };
  }

  /** A receipt that cannot be read is a failed attempt with the reason, not a thrown error. */
  private judge(
    message: As2Message,
    settings: As2Partner,
    composed: Composed,
    theirs: X509Certificate[],
    mdnHeaders: Record<string, string>,
    answer: Buffer,
  ): { ok: boolean; reason?: string; disposition?: string } {
    try {
      const mdn = readMdn({ headers: new Map(Object.entries(mdnHeaders)), body: answer }, theirs);
      const judged = judgeReceipt(mdn, {
        messageId: message.messageId,
        mic: parseMic(formatMic(composed.mic)),
        signed: settings.mdnSigned,
      });
      return { ok: judged.ok, reason: judged.ok ? undefined : judged.reason, disposition: mdn.disposition };
    } catch (e) {
      return { ok: false, reason: `the receipt could not be read: ${(e as Error).message}` };
    }
  }

  /** The partner's certificate valid now; an expired one is refused rather than used. */
  private current(certs: X509Certificate[]): X509Certificate {
    const now = this.options.clock?.() ?? new Date();
    const valid = certs.find((c) => new Date(c.validFrom) <= now && now <= new Date(c.validTo));
    if (!valid)
      throw new DomainError(
        'misconfigured',
        `no certificate of the partner is valid now (${certs.map((c) => `valid ${c.validFrom} to ${c.validTo}`).join('; ') || 'none given'})`,
      );
    return valid;
  }

  /** Waits for POST /as2 to record the asynchronous receipt (in whichever process took it). */
  private async awaitReceipt(id: string, messageId: string, timeoutSeconds: number): Promise<As2Attempt> {
    const until = Date.now() + timeoutSeconds * 1000;
    while (Date.now() < until) {
      const row = await this.store.byId(id);
      if (row && row.status !== 'sent') {
        const ok = row.status === 'acknowledged';
        return {
          ok,
          statusCode: null,
          detail: `AS2 ${messageId}: ${ok ? 'asynchronous receipt: processed' : row.error}`,
        };
      }
      await new Promise((r) => setTimeout(r, RECEIPT_POLL_MS));
    }
    const detail = `AS2 ${messageId}: no receipt within ${timeoutSeconds} s`;
    await this.store.update(id, { status: 'failed', error: detail });
    return { ok: false, statusCode: null, detail };
  }
}
