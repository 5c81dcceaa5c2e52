import { Logger } from '@nestjs/common';
import { As2Error, certificatesFromPem, judgeReceipt, parseMic, readMdn, type Entity } from '@edi/as2';
import type { As2Store } from '@edi/persistence';
import type { As2Answer } from './as2-inbox';

/**
 * Asynchronous receipts for what we sent: matched to our message by Original-Message-ID, checked
 * (signature, disposition, MIC), and stored; the delivery waiting on it reads the outcome.
 */
export class As2Receipts {
  private readonly log = new Logger('as2');

  constructor(private readonly store: As2Store) {}

  async receive(
    from: string,
    headers: Record<string, string>,
    entity: Entity,
    body: Buffer,
  ): Promise<As2Answer> {
    const found = await this.store.partnerByName(from);
    if (!found) return answer(400, `no trading partner sends as ${from}`);
    let mdn;
    try {
      mdn = readMdn(entity, certificatesFromPem(found.as2.certificates));
    } catch (e) {
      if (!(e instanceof As2Error)) throw e;
      return answer(400, `the receipt was not accepted: ${e.message}`);
    }
    if (!mdn.originalMessageId) return answer(400, 'the receipt has no Original-Message-ID');
    const sent = await this.store.find(found.partner.id, 'out', mdn.originalMessageId);
    if (!sent) return answer(400, `we sent no message ${mdn.originalMessageId} to ${from}`);
    if (sent.status !== 'sent') return answer(200, 'this receipt was already received');
    const verdict = judgeReceipt(mdn, {
      messageId: sent.messageId,
      mic: sent.mic ? parseMic(sent.mic) : null,
      signed: found.as2.mdnSigned,
    });
    await this.store.update(
      sent.id,
      {
        status: verdict.ok ? 'acknowledged' : 'failed',
        disposition: mdn.disposition,
        error: verdict.ok ? null : verdict.reason,
        mdnHeaders: headers,
      },
      body,
    );
    this.log.log({ msg: 'AS2 receipt', messageId: sent.messageId, ok: verdict.ok });
    return answer(200, 'receipt received');
  }
}

function answer(status: number, message: string): As2Answer {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from(message, 'utf8'),
  };
}
