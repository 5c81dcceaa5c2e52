import { DomainError, NotFoundError } from '@edi/contracts';
import { createHmac } from 'node:crypto';
import {
  Deliveries,
  Outbox,
  TradingPartner,
  Transactions,
  transact,
  type OutboundDocument,
  type OutboundStatus,
  type SecretBox,
  type WebhookTarget,
} from '@edi/persistence';
import { OutboundPolicy, guardedFetch, type GuardedFetch } from '@edi/transport';
import { outboundBytes } from '@edi/x12';
import { EntityNotFoundError, type DataSource } from 'typeorm';

export interface DeliveryOutcome {
  documentId: string;
  status: OutboundStatus;
  channel: OutboundDocument['channel'];
  attempts: number;
}

/** A delivery attempt that did not reach the partner; the queue tries again later. */
export class DeliveryFailed extends DomainError<'delivery_failed'> {
  override readonly name = 'DeliveryFailed';

  constructor(message: string) {
    super('delivery_failed', message);
  }
}

/**
 * Deliver: hands an outbound document to its partner. Outbox documents wait for the partner to
 * fetch them (the fetch is the delivery); webhook documents are POSTed, signed, and every try gets
 * a Delivery row. Delivery is at least once: a crash between the partner's 2xx and our commit
 * sends it again, with the same X-EDI-Document-Id for the partner to drop the repeat.
 */
export class DeliverStage {
  constructor(
    private readonly ds: DataSource,
    private readonly options: {
      secrets?: SecretBox;
      timeoutMs?: number;
      clock?: () => Date;
      /** Where webhooks may go (EDI_OUTBOUND_ALLOWED_HOSTS); absent = public addresses only. */
      outbound?: OutboundPolicy;
      /** Uploads to the partner's SFTP outbound folder (SftpStage.push). */
      sftp?: (partnerId: string, name: string, content: Buffer) => Promise<string>;
      /** Sends by AS2 and checks the receipt (As2Sender.send). */
      as2?: (doc: OutboundDocument) => Promise<{ ok: boolean; statusCode: number | null; detail: string }>;
    } = {},
  ) {
    this.post = guardedFetch(options.outbound ?? OutboundPolicy.fromList(undefined), {
      timeoutMs: options.timeoutMs ?? 10_000,
      // the answer is read only for the excerpt below: a webhook has no reason to send more
      maxResponseBytes: 64 * 1024,
    });
  }

  private readonly post: GuardedFetch;

  async run(documentId: string): Promise<DeliveryOutcome> {
    const found = await new Outbox(this.ds).forDelivery(documentId);
    if (!found) throw new NotFoundError(`no outbound document ${documentId}`);
    const doc = found.document;
    // outbox: the partner fetches it
    if (doc.status !== 'pending' || doc.channel === 'outbox') return outcomeOf(doc);
    const partner = found.partner;
    if (!partner) throw new EntityNotFoundError(TradingPartner, { id: doc.partnerId });
    const attempt = doc.attempts + 1;
    const started = Date.now();
    let statusCode: number | null = null;
    let detail: string;
    let ok = false;
    try {
      if (doc.channel === 'sftp') {
        if (!this.options.sftp)
          throw new DomainError('misconfigured', 'SFTP delivery is not set up in this process');
        // the name says what it is and is unique per partner: kind and ISA13
        const path = await this.options.sftp(
          doc.partnerId,
          // kind and ISA13, and the document id: unique even where two partners share a folder
          `${doc.kind.replace('+', '-')}-${doc.controlNumber}-${doc.id.slice(0, 8)}.x12`,
          outboundBytes(doc),
        );
        ok = true;
        detail = `uploaded to ${path}`;
      } else if (doc.channel === 'as2') {
        if (!this.options.as2)
          throw new DomainError('misconfigured', 'AS2 delivery is not set up in this process');
        ({ ok, statusCode, detail } = await this.options.as2(doc));
      } else {
        if (!partner.webhookUrl) throw new DomainError('misconfigured', 'the partner has no webhook URL');
        // checked as the socket connects; a redirect comes back as its 3xx and is not followed
        const res = await this.post(partner.webhookUrl, {
          method: 'POST',
          body: outboundBytes(doc),
          headers: this.headers(doc, partner),
        });
        statusCode = res.status;
        ok = res.ok;
        // a little of the answer helps staff reading the delivery log (partners see the status only)
        detail = `HTTP ${res.status} ${(await res.text()).slice(0, 300)}`.trim();
      }
    } catch (e) {
      detail = `${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message}`;
    }
    const at = (this.options.clock?.() ?? new Date()).toISOString();
    const tried = {
      documentId: doc.id,
      partnerId: doc.partnerId,
      channel: doc.channel,
      attempt,
      ok,
      statusCode,
      detail,
      ms: Date.now() - started,
    };
    // two deliveries per PO (the 997 and the 855): on Postgres four round trips fewer each
    if (ok && this.ds.options.type === 'postgres')
      await new Deliveries(this.ds).deliveredAtOnce(tried, at, doc.transactionId);
    // the send is done: a record lost to a power cut means one more send (at least once, same
    // X-EDI-Document-Id), so it need not wait for the disk
    else
      await transact(
        this.ds,
        async (m) => {
          await new Deliveries(m).record(tried);
          const outbox = new Outbox(m);
          if (!ok) return outbox.attemptFailed(doc.id, attempt, detail);
          await outbox.delivered(doc.id, attempt, at);
          if (doc.transactionId) await new Transactions(m).delivered(doc.transactionId);
        },
        { afterSend: true },
      );
    if (!ok) throw new DeliveryFailed(`${doc.channel} delivery of ${doc.id} failed: ${detail}`);
    return { documentId: doc.id, status: 'delivered', channel: doc.channel, attempts: attempt };
  }

  /** The queue gave up: the document is marked failed, with the last reason, for a person to resend. */
  async markFailed(documentId: string, error: unknown): Promise<DeliveryOutcome> {
    await transact(this.ds, (m) =>
      new Outbox(m).giveUp(documentId, (error as Error)?.message ?? String(error)),
    );
    return outcomeOf(await new Outbox(this.ds).byId(documentId));
  }

  /** A partner fetched it from the outbox: that is its delivery. False when it was not waiting there. */
  async fetched(partnerId: string, documentId: string): Promise<boolean> {
    const at = (this.options.clock?.() ?? new Date()).toISOString();
    return transact(this.ds, async (m) => {
      const outbox = new Outbox(m);
      const doc = await outbox.ofPartner(documentId, partnerId);
      if (!doc || doc.status !== 'pending' || doc.channel !== 'outbox') return false;
      const attempt = doc.attempts + 1;
      if (!(await outbox.delivered(documentId, attempt, at, true))) return false;
      await new Deliveries(m).record({
        documentId,
        partnerId,
        channel: 'outbox',
        attempt,
        ok: true,
        statusCode: null,
        detail: 'fetched by the partner',
        ms: 0,
      });
      if (doc.transactionId) await new Transactions(m).delivered(doc.transactionId);
      return true;
    });
  }

  /**
   * The document's id, kind and control number, and when a secret is set a signature the partner
   * can check: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the timestamp stops replays).
   */
  private headers(doc: OutboundDocument, partner: WebhookTarget): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/edi-x12',
      'x-edi-document-id': doc.id,
      'x-edi-kind': doc.kind,
      'x-edi-control-number': doc.controlNumber,
    };
    if (partner.webhookSecret) {
      if (!this.options.secrets)
        throw new DomainError(
          'misconfigured',
          'the partner has a webhook secret but EDI_SECRETS_KEY is not set to open it',
        );
      const t = Math.floor((this.options.clock?.() ?? new Date()).getTime() / 1000);
      const key = this.options.secrets.open(partner.webhookSecret);
      h['x-edi-signature'] = `t=${t},v1=${webhookSignature(key, t, outboundBytes(doc))}`;
    }
    return h;
  }
}

/** What a partner's webhook computes to check our X-EDI-Signature: over the body's bytes as sent (an ack's are the partner's own, outboundBytes). */
export function webhookSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

function outcomeOf(doc: OutboundDocument): DeliveryOutcome {
  return { documentId: doc.id, status: doc.status, channel: doc.channel, attempts: doc.attempts };
}
