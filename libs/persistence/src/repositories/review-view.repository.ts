import { In, type DataSource } from 'typeorm';
import { AuditEvent } from '../entities/audit-event.entity';
import { Delivery } from '../entities/delivery.entity';
import { Interchange } from '../entities/interchange.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TransactionSet } from '../entities/transaction.entity';

/** Everything the console shows beside one transaction: what answered it, its versions, its trail. */
export interface TransactionRecords {
  /** Outbound sets answering it (the 855 of an 850). */
  answers: Array<Pick<TransactionSet, 'id' | 'setId' | 'status' | 'createdAt'>>;
  /** Versions made by resubmitting it, oldest first. */
  resubmissions: Array<Pick<TransactionSet, 'id' | 'status' | 'createdAt'>>;
  interchange: Interchange | null;
  audit: AuditEvent[];
  /** For a resubmitted version: the events on the one it replaced that made this one. */
  madeBy: AuditEvent[];
  /** Its interchange's acknowledgments, its answers' documents, or (outbound) its own. */
  outbound: OutboundDocument[];
  deliveries: Delivery[];
}

/** The console's reads about one transaction (any partner's). */
export class ReviewRecords {
  constructor(private readonly ds: DataSource) {}

  byId(id: string): Promise<TransactionSet | null> {
    return this.ds.getRepository(TransactionSet).findOneBy({ id });
  }

  async of(tx: TransactionSet): Promise<TransactionRecords> {
    const sets = this.ds.getRepository(TransactionSet);
    const [answers, resubmissions, interchange, audit, madeBy] = await Promise.all([
      sets.find({
        where: { inReplyTo: tx.id },
        select: { id: true, setId: true, status: true, createdAt: true },
        order: { createdAt: 'ASC' },
      }),
      sets.find({
        where: { resubmittedFrom: tx.id },
        select: { id: true, status: true, createdAt: true },
        order: { createdAt: 'ASC' },
      }),
      tx.interchangeId ? this.ds.getRepository(Interchange).findOneBy({ id: tx.interchangeId }) : null,
      this.ds.getRepository(AuditEvent).find({ where: { subjectId: tx.id }, order: { at: 'ASC' } }),
      this.madeBy(tx),
    ]);
    const outbound = await this.outbound(tx, answers);
    const deliveries = outbound.length
      ? await this.ds
          .getRepository(Delivery)
          .find({ where: { documentId: In(outbound.map((d) => d.id)) }, order: { at: 'ASC' } })
      : [];
    return { answers, resubmissions, interchange, audit, madeBy, outbound, deliveries };
  }

  /** The resubmission or reprocessing recorded on the version this one replaced, that made this one. */
  private async madeBy(tx: TransactionSet): Promise<AuditEvent[]> {
    if (!tx.resubmittedFrom) return [];
    const events = await this.ds.getRepository(AuditEvent).find({
      where: { subjectId: tx.resubmittedFrom, action: In(['console.resubmitted', 'console.reprocessed']) },
    });
    return events.filter((a) => a.detail?.interchangeId === tx.interchangeId);
  }

  private async outbound(tx: TransactionSet, answers: Array<{ id: string }>): Promise<OutboundDocument[]> {
    const docs = this.ds.getRepository(OutboundDocument);
    return [
      ...(tx.interchangeId
        ? await docs.find({ where: { interchangeId: tx.interchangeId }, order: { createdAt: 'ASC' } })
        : []),
      ...(answers.length
        ? await docs.find({
            where: { transactionId: In(answers.map((a) => a.id)) },
            order: { createdAt: 'ASC' },
          })
        : []),
      ...(tx.direction === 'out' ? await docs.findBy({ transactionId: tx.id }) : []),
    ];
  }
}
