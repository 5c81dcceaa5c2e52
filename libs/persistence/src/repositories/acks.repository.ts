import { In, type DataSource, type EntityManager } from 'typeorm';
import {
  OutboundDocument,
  type AckAnswer,
  type AckReason,
  type AckState,
} from '../entities/outbound-document.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { TransactionSet } from '../entities/transaction.entity';

/** One business document we sent, with the envelope numbers an acknowledgment names it by. */
export interface SentDocument {
  document: OutboundDocument;
  transactionId: string;
  setId: string;
  /** GS06 and ST02 as we wrote them. */
  groupControl: string;
  setControl: string;
  poNumber: string | null;
}

export interface AckStatePatch {
  ackStatus: AckState;
  ackAt: string;
  ackReasons: AckReason[] | null;
  ackAnswers: AckAnswer[];
}

/** Numbers as we write them: GS06 without leading zeros (String(n)), so a padded echo finds it. */
function unpadded(n: string): string {
  return n.trim().replace(/^0+(?=.)/, '');
}

/**
 * The queries of acknowledgment reconciliation: what we sent, found by the numbers a TA1/997/999
 * names it by, and its state. Takes the caller's EntityManager, so a state changes in the same
 * database transaction as the answer that changed it is stored.
 */
export class AcksRepository {
  private readonly m: EntityManager;

  /** A DataSource (its own statements) or the EntityManager of the caller's database transaction. */
  constructor(db: DataSource | EntityManager) {
    this.m = 'manager' in db ? db.manager : db;
  }

  /** Our business documents of a partner sent in the group with this GS06 (counters wrap: newest first). */
  async sentInGroup(partnerId: string, groupControl: string): Promise<SentDocument[]> {
    const sets = await this.m.getRepository(TransactionSet).find({
      where: { partnerId, direction: 'out', groupControl: unpadded(groupControl) },
      select: {
        id: true,
        setId: true,
        groupControl: true,
        controlNumber: true,
        poNumber: true,
        createdAt: true,
      },
      order: { createdAt: 'DESC' },
      take: 50,
    });
    return this.withDocuments(partnerId, sets);
  }

  /** Our business documents of a partner sent in the interchange with this ISA13. */
  async sentInInterchange(partnerId: string, isa13: string): Promise<SentDocument[]> {
    const docs = await this.m.getRepository(OutboundDocument).find({
      where: { partnerId, controlNumber: isa13.trim().padStart(9, '0') },
      order: { createdAt: 'DESC' },
      take: 10,
    });
    const ids = docs.map((d) => d.transactionId).filter((id): id is string => !!id);
    if (!ids.length) return [];
    const sets = await this.m.getRepository(TransactionSet).find({
      where: { id: In(ids) },
      select: { id: true, setId: true, groupControl: true, controlNumber: true, poNumber: true },
    });
    return this.withDocuments(partnerId, sets);
  }

  private async withDocuments(
    partnerId: string,
    sets: Array<Pick<TransactionSet, 'id' | 'setId' | 'groupControl' | 'controlNumber' | 'poNumber'>>,
  ): Promise<SentDocument[]> {
    if (!sets.length) return [];
    const docs = await this.m
      .getRepository(OutboundDocument)
      .findBy({ partnerId, transactionId: In(sets.map((s) => s.id)) });
    return sets.flatMap((s) =>
      docs
        .filter((d) => d.transactionId === s.id)
        .map((document) => ({
          document,
          transactionId: s.id,
          setId: s.setId,
          groupControl: s.groupControl,
          setControl: s.controlNumber,
          poNumber: s.poNumber,
        })),
    );
  }

  async saveState(documentId: string, patch: AckStatePatch): Promise<void> {
    await this.m.getRepository(OutboundDocument).update({ id: documentId }, patch);
  }

  /** Pending documents whose window ended at or before `at`, oldest first. */
  async due(at: string, limit = 500): Promise<OutboundDocument[]> {
    return this.m
      .getRepository(OutboundDocument)
      .createQueryBuilder('d')
      .where('d.ackStatus = :s', { s: 'pending' })
      .andWhere('d.ackDueAt <= :at', { at })
      .orderBy('d.ackDueAt', 'ASC')
      .take(limit)
      .getMany();
  }

  /** The partners and transactions of documents found due: what their events say. */
  async contextOf(docs: OutboundDocument[]): Promise<{
    partners: Map<string, TradingPartner>;
    sets: Map<string, Pick<TransactionSet, 'id' | 'setId' | 'groupControl' | 'controlNumber' | 'poNumber'>>;
  }> {
    const partnerIds = [...new Set(docs.map((d) => d.partnerId))];
    const setIds = docs.map((d) => d.transactionId).filter((id): id is string => !!id);
    const partners = partnerIds.length
      ? await this.m.getRepository(TradingPartner).findBy({ id: In(partnerIds) })
      : [];
    const sets = setIds.length
      ? await this.m.getRepository(TransactionSet).find({
          where: { id: In(setIds) },
          select: { id: true, setId: true, groupControl: true, controlNumber: true, poNumber: true },
        })
      : [];
    return { partners: new Map(partners.map((p) => [p.id, p])), sets: new Map(sets.map((t) => [t.id, t])) };
  }

  /** Pending → overdue, only if still pending: an answer that arrived meanwhile wins, and two sweeps mark it once. */
  async markOverdue(documentId: string, at: string, reasons: AckReason[]): Promise<boolean> {
    const r = await this.m.getRepository(OutboundDocument).update(
      { id: documentId, ackStatus: 'pending' },
      {
        ackStatus: 'overdue',
        ackAt: at,
        ackReasons: reasons,
      },
    );
    return !!r.affected;
  }

  /** A document we sent and the transaction it carries (with its JSON), for a resend. */
  async withTransaction(
    documentId: string,
  ): Promise<{ document: OutboundDocument; transaction: TransactionSet | null } | undefined> {
    const document = await this.m.getRepository(OutboundDocument).findOneBy({ id: documentId });
    if (!document) return undefined;
    const transaction = document.transactionId
      ? await this.m.getRepository(TransactionSet).findOneBy({ id: document.transactionId })
      : null;
    return { document, transaction };
  }

  async partner(id: string): Promise<TradingPartner> {
    return this.m.getRepository(TradingPartner).findOneByOrFail({ id });
  }

  /** Lineage: the new document was resent in place of the old one. */
  async markResent(documentId: string, resentFrom: string): Promise<void> {
    await this.m.getRepository(OutboundDocument).update({ id: documentId }, { resentFrom });
  }

  /** What a document was resent as, newest first. */
  async resentAs(documentId: string): Promise<OutboundDocument[]> {
    return this.m.getRepository(OutboundDocument).find({
      where: { resentFrom: documentId },
      select: { id: true, controlNumber: true, createdAt: true, ackStatus: true },
      order: { createdAt: 'DESC' },
    });
  }

  /** Counts by partner, set and state, for the metrics. */
  async countsByState(): Promise<Array<{ partner: string; kind: string; state: string; n: number }>> {
    const rows = await this.m
      .getRepository(OutboundDocument)
      .createQueryBuilder('d')
      .innerJoin(TradingPartner, 'p', 'p.id = d.partnerId')
      .select('p.name', 'partner')
      .addSelect('d.kind', 'kind')
      .addSelect('d.ackStatus', 'state')
      .addSelect('COUNT(*)', 'n')
      .where('d.ackStatus IS NOT NULL')
      .groupBy('p.name')
      .addGroupBy('d.kind')
      .addGroupBy('d.ackStatus')
      .getRawMany<{ partner: string; kind: string; state: string; n: string | number }>();
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }
}
