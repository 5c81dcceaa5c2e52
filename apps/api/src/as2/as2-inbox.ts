import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  As2Error,
  bareMessageId,
  buildMdn,
  certificatesFromPem,
  formatAs2Name,
  formatMic,
  identityList,
  newMessageId,
  openMessage,
  parseAs2Name,
  parseContentType,
  parseEntity,
  receiptRequest,
  splitMultipart,
  type As2ErrorCode,
  type Entity,
  type Mic,
  type OurIdentities,
} from '@edi/as2';
import type { As2Message, As2Partner, As2Store, TradingPartner } from '@edi/persistence';
import type { Pipeline } from '@edi/pipeline';
import type { GuardedFetch } from '@edi/transport';
import { As2Receipts } from './as2-receipts';

type KnownPartner = { as2: As2Partner; partner: TradingPartner };

/** What became of one inbound message: the receipt and the stored row both say it. */
interface Outcome {
  error: As2ErrorCode | null;
  explanation: string;
  mic: Mic | null;
  interchangeId: string | null;
}

export interface As2Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The request headers an AS2 message means something by; the rest (Host, proxies' additions) are not kept. */
const KEPT = [
  'content-type',
  'content-transfer-encoding',
  'as2-from',
  'as2-to',
  'as2-version',
  'message-id',
  'subject',
  'disposition-notification-to',
  'disposition-notification-options',
  'receipt-delivery-option',
];

/**
 * POST /as2: each message is stored (raw, with its headers) before anything else; then opened,
 * its EDI handed to the pipeline exactly as HTTP and SFTP hand theirs, and answered with a receipt
 * whose disposition says what happened. A repeated Message-ID gets the receipt it got the first
 * time and is not processed again.
 */
export class As2Inbox {
  private readonly log = new Logger('as2');
  private readonly receipts: As2Receipts;

  constructor(
    private readonly store: As2Store,
    private readonly pipeline: Pipeline,
    private readonly ours: OurIdentities,
    private readonly options: {
      /** Our AS2 name where a partner's settings have none (EDI_AS2_NAME). */
      ourName?: string;
      /** Posts asynchronous receipts (checked against the outbound allow-list). */
      post: GuardedFetch;
      clock?: () => Date;
    },
  ) {
    this.receipts = new As2Receipts(store);
  }

  async receive(raw: Record<string, string | string[] | undefined>, body: Buffer): Promise<As2Answer> {
    const headers: Record<string, string> = {};
    for (const k of KEPT) {
      const v = raw[k];
      if (typeof v === 'string') headers[k] = v;
    }
    const from = parseAs2Name(headers['as2-from']);
    const to = parseAs2Name(headers['as2-to']);
    const messageId = bareMessageId(headers['message-id']);
    if (!from || !to || !messageId)
      return text(400, 'an AS2 message needs AS2-From, AS2-To (1-128 printable characters) and a Message-ID');
    if (body.length === 0) return text(400, 'the AS2 message has no body');
    const entity: Entity = { headers: new Map(Object.entries(headers)), body };
    if (isReceipt(entity)) return this.receipts.receive(from, headers, entity, body);
    const found = await this.store.partnerByName(from);
    const known = found && to === found.as2.ourAs2Name ? found : null;
    const { message, repeat } = await this.store.store(
      { partnerId: known?.partner.id ?? null, direction: 'in', messageId, status: 'received', headers },
      body,
    );
    if (repeat && message.status !== 'received') return this.replay(message);
    try {
      return await this.process(message, entity, known);
    } catch (e) {
      // stored but not answered (the database went away mid-way): the sender retries on a 5xx, and
      // the retry, or the restart's resume, finishes what this began
      this.log.error({ msg: 'AS2 message stored but not processed', messageId, error: (e as Error).message });
      return {
        ...text(503, 'stored; not processed yet: send it again later'),
        headers: { 'retry-after': '60' },
      };
    }
  }

  /** After a crash or restart: what was stored but never answered is processed now. */
  async resume(): Promise<number> {
    const waiting = await this.store.unanswered();
    for (const message of waiting) {
      const body = await this.store.payload(message.id, 'message');
      if (!body) continue;
      const from = parseAs2Name(message.headers['as2-from']) ?? '';
      const found = await this.store.partnerByName(from);
      const known = found && found.partner.id === message.partnerId ? found : null;
      await this.process(message, { headers: new Map(Object.entries(message.headers)), body }, known).catch(
        (e: unknown) =>
          this.log.warn({ msg: 'AS2 resume failed', id: message.id, error: (e as Error).message }),
      );
    }
    return waiting.length;
  }

  /** Opens and submits the message, answers it with the receipt asked for, and records both. */
  private async process(
    message: As2Message,
    entity: Entity,
    partner: KnownPartner | null,
  ): Promise<As2Answer> {
    const request = receiptRequest(entity.headers);
    const outcome = partner
      ? await this.accept(message, entity, partner, request.micHash)
      : unknownPartner(message);
    const disposition = `automatic-action/MDN-sent-automatically; ${outcome.error ? `processed/error: ${outcome.error}` : 'processed'}`;
    const answer = request.wanted
      ? await this.receipt(message, partner, outcome, request)
      : text(200, outcome.error ? outcome.explanation : '');
    await this.store.update(
      message.id,
      {
        status: outcome.error ? 'refused' : 'processed',
        mic: outcome.mic ? formatMic(outcome.mic) : null,
        disposition,
        error: outcome.error ? outcome.explanation : null,
        interchangeId: outcome.interchangeId,
        mdnHeaders: request.wanted ? answer.headers : null,
      },
      request.wanted ? answer.body : undefined,
    );
    this.log.log({
      msg: 'AS2 received',
      messageId: message.messageId,
      partnerId: message.partnerId,
      disposition,
    });
    if (request.wanted && request.asyncUrl) {
      void this.sendAsync(request.asyncUrl, answer);
      return text(200, 'received; the receipt follows asynchronously');
    }
    return answer;
  }

  /**
   * Opens the message and hands its EDI to the pipeline. An As2Error becomes the receipt's error
   * disposition; anything else is thrown, so the message stays unanswered and is finished later.
   */
  private async accept(
    message: As2Message,
    entity: Entity,
    partner: KnownPartner,
    micHash: Parameters<typeof openMessage>[1]['micHash'],
  ): Promise<Outcome> {
    let mic: Mic | null = null;
    try {
      const opened = openMessage(entity, {
        ours: identityList(this.ours),
        partnerCerts: certificatesFromPem(partner.as2.certificates),
        micHash,
        now: this.options.clock?.(),
      });
      mic = opened.mic;
      if (partner.as2.requireSigned && !opened.signer)
        throw new As2Error('insufficient-message-security', 'this partner must sign what it sends');
      if (partner.as2.requireEncrypted && !opened.encrypted)
        throw new As2Error('insufficient-message-security', 'this partner must encrypt what it sends');
      // the Message-ID is the idempotency key: a retry after a crash finds the interchange it made
      const { interchangeId } = await this.pipeline.submit(partner.partner, opened.payload, 'as2', {
        idempotencyKey: `as2:${createHash('sha256').update(message.messageId).digest('hex')}`,
      });
      const explanation = `The message ${message.messageId} was received, its signature and content checked, and stored as interchange ${interchangeId}.`;
      return { error: null, explanation, mic, interchangeId };
    } catch (e) {
      if (!(e instanceof As2Error)) throw e;
      const explanation = `The message ${message.messageId} was not processed: ${e.message}.`;
      // the MIC is kept when it was computed: a security refusal still reports what was received
      return { error: e.code, explanation, mic, interchangeId: null };
    }
  }

  /** The MDN answering the message, signed (when asked) with the identity the partner trusts. */
  private async receipt(
    message: As2Message,
    partner: KnownPartner | null,
    outcome: Outcome,
    request: ReturnType<typeof receiptRequest>,
  ): Promise<As2Answer> {
    const ourName =
      partner?.as2.ourAs2Name ?? parseAs2Name(message.headers['as2-to']) ?? this.options.ourName ?? '';
    const signer =
      partner?.as2.ourCertificate === 'next' && this.ours.next ? this.ours.next : this.ours.current;
    const mdn = await buildMdn({
      originalMessageId: message.messageId,
      ourName,
      error: outcome.error,
      explanation: outcome.explanation,
      mic: outcome.mic,
      sign: request.signed ? { identity: signer, hash: request.micHash ?? 'sha256' } : undefined,
    });
    return {
      status: 200,
      headers: {
        'as2-version': '1.2',
        'as2-from': formatAs2Name(ourName),
        'as2-to': message.headers['as2-from'] ?? '',
        'message-id': newMessageId(),
        'mime-version': '1.0',
        ...Object.fromEntries(mdn.headers.map(([k, v]) => [k.toLowerCase(), v])),
      },
      body: mdn.body,
    };
  }

  /** The same receipt as the first time (RFC 4130 requires duplicates not to be processed again). */
  private async replay(message: As2Message): Promise<As2Answer> {
    const mdn = await this.store.payload(message.id, 'mdn');
    if (!mdn || !message.mdnHeaders) return text(200, '');
    const answer = { status: 200, headers: message.mdnHeaders, body: mdn };
    const asyncUrl = receiptRequest(new Map(Object.entries(message.headers))).asyncUrl;
    if (asyncUrl) {
      void this.sendAsync(asyncUrl, answer);
      return text(200, 'a repeat; its receipt follows asynchronously');
    }
    return answer;
  }

  /** An asynchronous receipt goes to the URL the sender gave, through the outbound allow-list, a few tries. */
  private async sendAsync(url: string, mdn: As2Answer): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const res = await this.options.post(url, { method: 'POST', headers: mdn.headers, body: mdn.body });
        await res.arrayBuffer();
        if (res.ok) return;
        this.log.warn({ msg: 'async MDN refused', url, status: res.status, attempt });
      } catch (e) {
        this.log.warn({ msg: 'async MDN not delivered', url, error: (e as Error).message, attempt });
      }
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

/** A receipt (ours to match) rather than EDI: multipart/report, possibly inside multipart/signed. */
function isReceipt(entity: Entity): boolean {
  const ct = parseContentType(entity.headers.get('content-type'));
  if (ct.type === 'multipart/report') return true;
  if (ct.type !== 'multipart/signed') return false;
  try {
    const first = splitMultipart(entity.body, ct.params.boundary ?? '')[0];
    return (
      !!first && parseContentType(parseEntity(first).headers.get('content-type')).type === 'multipart/report'
    );
  } catch {
    return false;
  }
}

function unknownPartner(message: As2Message): Outcome {
  return {
    error: 'unknown-trading-relationship',
    explanation: `No trading partner sends as ${message.headers['as2-from']} to ${message.headers['as2-to']}.`,
    mic: null,
    interchangeId: null,
  };
}

function text(status: number, message: string): As2Answer {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from(message, 'utf8'),
  };
}
