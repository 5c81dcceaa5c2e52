import { In, Raw, type EntityManager } from 'typeorm';
import { Interchange } from '../entities/interchange.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import type { DeliveryChannel } from '../entities/trading-partner.entity';
import { TransactionSet } from '../entities/transaction.entity';
import { managerOf, type Db } from './db';

/** A row a stage still has to work on, and when it last moved (the sweep leaves young ones alone). */
export interface Unfinished {
  id: string;
  at: Date;
}

/** The channels the deliver stage pushes on; outbox documents wait for the partner to fetch them. */
export const PUSHED_CHANNELS: readonly DeliveryChannel[] = ['webhook', 'sftp', 'as2'];

/**
 * A set whose interchange is still being translated (in batches, under a claim) is not released
 * yet: its group's GE or its interchange's IEA may still reject it. The translate stage hands its
 * sets on once the interchange is finished; a worker that dies mid-way leaves them to its successor.
 */
const RELEASED = Raw(
  (column) => `NOT EXISTS (SELECT 1 FROM interchanges i WHERE i.id = ${column} AND i.status = 'received')`,
);

/**
 * What each stage of the flow has left, oldest first, of every partner: what a crash or a restart
 * must put back on the queues. Each query reads one column through its index (shipRequested a
 * partial one, of the rows with a request only; checked by the spec).
 */
export class UnfinishedWork {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  /** Interchanges stored and not yet translated. */
  async received(): Promise<Unfinished[]> {
    const rows = await this.m.getRepository(Interchange).find({
      where: { status: 'received' },
      select: { id: true, receivedAt: true },
      order: { receivedAt: 'ASC' },
    });
    return rows.map((r) => ({ id: r.id, at: new Date(r.receivedAt) }));
  }

  /** Documents not yet pushed to their partner. */
  async toPush(): Promise<Unfinished[]> {
    const rows = await this.m.getRepository(OutboundDocument).find({
      where: { status: 'pending', channel: In([...PUSHED_CHANNELS]) },
      select: { id: true, createdAt: true },
      order: { createdAt: 'ASC' },
    });
    return rows.map((d) => ({ id: d.id, at: new Date(d.createdAt) }));
  }

  /** POs waiting on the ERP. */
  async erpPending(): Promise<Unfinished[]> {
    const rows = await this.m.getRepository(TransactionSet).find({
      where: { status: 'erp_pending', interchangeId: RELEASED },
      select: { id: true, createdAt: true, updatedAt: true },
      order: { createdAt: 'ASC' },
    });
    return rows.map((t) => ({ id: t.id, at: new Date(t.updatedAt) }));
  }

  /** Inbound 856s and 810s to check against their PO and hand to the ERP. */
  async receiving(): Promise<Unfinished[]> {
    const rows = await this.m.getRepository(TransactionSet).find({
      where: { status: 'receiving', interchangeId: RELEASED },
      select: { id: true, createdAt: true, updatedAt: true },
      order: { createdAt: 'ASC' },
    });
    return rows.map((t) => ({ id: t.id, at: new Date(t.updatedAt) }));
  }

  /** Orders whose shipments must be read (an ERP event or autoShip asked), oldest request first. */
  async shipRequested(): Promise<Unfinished[]> {
    const rows = await this.m.getRepository(TransactionSet).find({
      // IS NOT NULL as the partial index says it: SQLite does not read Not(IsNull())'s NOT (x IS NULL) as that
      where: { shipRequestedAt: Raw((column) => `${column} IS NOT NULL`) },
      select: { id: true, shipRequestedAt: true },
      order: { shipRequestedAt: 'ASC' },
    });
    return rows.map((t) => ({ id: t.id, at: new Date(t.shipRequestedAt!) }));
  }
}
