import { AcksRepository, transact } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { raiseAckEvent } from './ack-events';

/**
 * The periodic job that turns pending documents overdue once the partner's window has passed
 * with no TA1/997/999, and raises an 'ack.overdue' event for each. Safe to run on every worker at
 * once: a document turns overdue in one conditional update, so only one sweep raises its event.
 */
export class AckOverdueSweep {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The ids of the documents it marked overdue. */
  async run(limit = 500): Promise<string[]> {
    const now = this.clock().toISOString();
    const acks = new AcksRepository(this.ds);
    const due = await acks.due(now, limit);
    if (!due.length) return [];
    const { partners, sets } = await acks.contextOf(due);
    const marked: string[] = [];
    for (const doc of due) {
      const partner = partners.get(doc.partnerId);
      const tx = doc.transactionId ? sets.get(doc.transactionId) : undefined;
      const reasons = [
        {
          code: 'OVERDUE',
          message: `no TA1, 997 or 999 came by ${doc.ackDueAt ?? now} (the partner's window for a ${tx?.setId ?? doc.kind})`,
        },
      ];
      const done = await transact(this.ds, async (m) => {
        if (!(await new AcksRepository(m).markOverdue(doc.id, now, reasons))) return false;
        if (partner && tx)
          await raiseAckEvent(
            m,
            partner,
            {
              document: doc,
              transactionId: tx.id,
              setId: tx.setId,
              groupControl: tx.groupControl,
              setControl: tx.controlNumber,
              poNumber: tx.poNumber,
            },
            'ack.overdue',
            { ackStatus: 'overdue', ackAt: now, ackReasons: reasons },
          );
        return true;
      });
      if (done) marked.push(doc.id);
    }
    return marked;
  }
}
