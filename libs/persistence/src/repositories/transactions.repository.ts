import { EntityNotFoundError, In, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { TransactionSet, type TransactionStatus } from '../entities/transaction.entity';
import { placeholders } from '../data-source';
import { managerOf, type Db } from './db';
import { insertRows, selectRows, updateRows } from './rows';

/** Rows a statement: sixteen columns each stays far below SQLite's limit of bound variables. */
const BATCH = 200;

type Fields = QueryDeepPartialEntity<TransactionSet>;

/** What the outcome of a translated interchange shows of one of its sets. */
export type SetSummary = Pick<TransactionSet, 'id' | 'setId' | 'controlNumber' | 'status' | 'duplicateOf'>;

/** Transaction sets, inbound and outbound: their rows and the status claims the stages make. */
export class Transactions {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  create(fields: Partial<TransactionSet> = {}): TransactionSet {
    return this.m.getRepository(TransactionSet).create(fields);
  }

  async byId(id: string): Promise<TransactionSet> {
    const [row] = await selectRows(this.m, TransactionSet, { id });
    if (!row) throw new EntityNotFoundError(TransactionSet, { id });
    return row;
  }

  /** The row while it is in this status, else null. */
  inStatus(id: string, status: TransactionStatus): Promise<TransactionSet | null> {
    return this.m.getRepository(TransactionSet).findOneBy({ id, status });
  }

  /** One of the partner's transactions (an answer to another partner's would leak that it exists). */
  ofPartner(id: string, partnerId: string): Promise<TransactionSet | null> {
    return this.m.getRepository(TransactionSet).findOneBy({ id, partnerId });
  }

  /**
   * The test flag of this partner's transaction `id`, or null when it is not one of the partner's:
   * what is sent in answer to a transaction is test data exactly when that transaction was.
   */
  async partnersTestFlag(id: string, partnerId: string): Promise<boolean | null> {
    const [row] = await selectRows(this.m, TransactionSet, { id, partnerId }, { select: ['test'] });
    return row ? row.test : null;
  }

  /**
   * What the outcome of a translated interchange says of each of its sets, in file order: the
   * few columns it shows, never the documents (a nightly batch's are a gigabyte).
   */
  async summariesOf(interchangeId: string): Promise<SetSummary[]> {
    // plain rows from one prepared statement: find() went through the query builder and made an
    // entity of each row, whose constructor draws a random id, for five strings (2% of the
    // embedded service's CPU in the flow bench's profile)
    const [mark] = placeholders(this.m.connection, 1);
    return this.m.query<SetSummary[]>(
      `SELECT id, set_id AS "setId", control_number AS "controlNumber", status, duplicate_of AS "duplicateOf" FROM transactions WHERE interchange_id = ${mark} ORDER BY set_index ASC, id ASC`,
      [interchangeId],
    );
  }

  /** The row as given; created_at and updated_at are the database's, and not read back. */
  async insert(row: TransactionSet): Promise<void> {
    await insertRows(this.m, TransactionSet, [row]);
  }

  /** Many rows a statement: a file of 70,000 sets is a few hundred inserts, not 70,000. */
  async insertMany(rows: TransactionSet[]): Promise<void> {
    await insertRows(this.m, TransactionSet, rows);
  }

  async deleteMany(ids: string[]): Promise<void> {
    for (let k = 0; k < ids.length; k += BATCH)
      await this.m.getRepository(TransactionSet).delete(ids.slice(k, k + BATCH));
  }

  /**
   * The claim: moves the row out of `from` (one status or any of several) with these fields;
   * false when it was not there, because another run (a worker, a retry, a click) moved it first.
   */
  async move(
    id: string,
    from: TransactionStatus | readonly TransactionStatus[],
    fields: Fields,
  ): Promise<boolean> {
    return (
      (await updateRows(this.m, TransactionSet, { id, status: from }, fields as Partial<TransactionSet>)) > 0
    );
  }

  /** The status of an outbound transaction once its document reached the partner. */
  async delivered(id: string): Promise<void> {
    await updateRows(this.m, TransactionSet, { id }, { status: 'delivered' });
  }

  /** The inbound set of the partner that the ERP order `erpRef` belongs to (unique index). */
  async orderHolder(partnerId: string, setId: string, erpRef: string): Promise<string | undefined> {
    const row = await this.m.getRepository(TransactionSet).findOne({
      where: { partnerId, direction: 'in', setId, erpRef },
      select: { id: true },
    });
    return row?.id;
  }

  /**
   * What was sent of these ERP shipments and invoices, as `set:ref` (an ERP may number both
   * alike). The sets are named so the lookup walks the whole unique index (partner, direction,
   * set, ref), not all of the partner's outbound rows.
   */
  async sentRefs(partnerId: string, refs: string[]): Promise<Set<string>> {
    if (!refs.length) return new Set();
    const rows = await this.m.getRepository(TransactionSet).find({
      where: { partnerId, direction: 'out', setId: In(['856', '810']), erpRef: In(refs) },
      select: { setId: true, erpRef: true },
    });
    return new Set(rows.map((t) => `${t.setId}:${t.erpRef}`));
  }

  /** Done with a ship request; one that came in meanwhile (a newer timestamp) stays. */
  async clearShipRequest(id: string, requestedAt: string): Promise<void> {
    await this.m
      .getRepository(TransactionSet)
      .update({ id, shipRequestedAt: requestedAt }, { shipRequestedAt: null });
  }
}
