import type { EntityManager } from 'typeorm';
import { Interchange } from '../entities/interchange.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import type { DeliveryChannel } from '../entities/trading-partner.entity';
import { TransactionSet, type TransactionStatus } from '../entities/transaction.entity';
import { placeholders } from '../data-source';
import { managerOf, type Db } from './db';

/** A row a stage still has to work on, and when it last moved (the sweep leaves young ones alone). */
export interface Unfinished {
  id: string;
  at: Date;
}

/** Where a page over a stage's backlog ended: its key (created_at…) as text (Postgres parses it back), and the id. */
export interface BacklogCursor {
  at: string;
  id: string;
}

/** One set as an interchange's outcome lists it. */
export interface SetLine {
  id: string;
  setId: string;
  controlNumber: string;
  status: TransactionStatus;
  duplicateOf: string | null;
}

/** The channels the deliver stage pushes on; outbox documents wait for the partner to fetch them. */
export const PUSHED_CHANNELS: readonly DeliveryChannel[] = ['webhook', 'sftp', 'as2'];

/**
 * A set whose interchange is still being translated (in batches, under a claim) is not released
 * yet: its group's GE or its interchange's IEA may still reject it. The translate stage hands its
 * sets on once the interchange is finished; a worker that dies mid-way leaves them to its successor.
 * The alias t is the transactions table.
 */
const RELEASED_SQL = `NOT EXISTS (SELECT 1 FROM interchanges i WHERE i.id = t.interchange_id AND i.status = 'received')`;

/** A backlog, read in pages or whole: its rows (alias t), the column it is ordered by, then by id, and when a row last moved. */
interface Backlog {
  entity: typeof Interchange | typeof OutboundDocument | typeof TransactionSet;
  where: (param: (value: unknown) => string) => string;
  key: string;
  at: string;
}

/** The released sets in a status: through ix_tx_status_created (status, created_at, id). */
function waitingIn(status: TransactionStatus): Backlog {
  return {
    entity: TransactionSet,
    where: (param) => `t.status = ${param(status)} AND ${RELEASED_SQL}`,
    key: 'createdAt',
    at: 'updatedAt',
  };
}

/**
 * What each stage has left, read whole (a start of the embedded flow) or in pages (the scaled
 * sweep), each through an index in its order (the partial ones hold open work only): one filter
 * each, so both reads and the indexes agree.
 */
export type LeftWork = 'received' | 'toPush' | 'erpPending' | 'receiving' | 'shipRequested';

const LEFT: Record<LeftWork, Backlog> = {
  // ix_interchange_received
  received: {
    entity: Interchange,
    where: () => `t.status = 'received'`,
    key: 'receivedAt',
    at: 'receivedAt',
  },
  // ix_out_to_push: its WHERE is this one, word for word (SQLite uses a partial index only then; the spec pins it)
  toPush: {
    entity: OutboundDocument,
    where: () => `t.status = 'pending' AND t.channel IN (${PUSHED_CHANNELS.map((c) => `'${c}'`).join(', ')})`,
    key: 'createdAt',
    at: 'createdAt',
  },
  erpPending: waitingIn('erp_pending'),
  receiving: waitingIn('receiving'),
  // ix_tx_ship_requested; IS NOT NULL as the partial index says it (SQLite does not read NOT (x IS NULL) as that)
  shipRequested: {
    entity: TransactionSet,
    where: () => 't.ship_requested_at IS NOT NULL',
    key: 'shipRequestedAt',
    at: 'shipRequestedAt',
  },
};

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
  received(): Promise<Unfinished[]> {
    return this.whole('received');
  }

  /** Documents not yet pushed to their partner. */
  toPush(): Promise<Unfinished[]> {
    return this.whole('toPush');
  }

  /** POs waiting on the ERP, at the time each last moved. */
  erpPending(): Promise<Unfinished[]> {
    return this.whole('erpPending');
  }

  /** Inbound 856s and 810s to check against their PO and hand to the ERP. */
  receiving(): Promise<Unfinished[]> {
    return this.whole('receiving');
  }

  /** Orders whose shipments must be read (an ERP event or autoShip asked), oldest request first. */
  shipRequested(): Promise<Unfinished[]> {
    return this.whole('shipRequested');
  }

  /** All a stage has left, in its pages' order: their query with no cursor and no limit. */
  private async whole(left: LeftWork): Promise<Unfinished[]> {
    return (await this.page(LEFT[left], undefined)).rows;
  }

  /**
   * A page of the released sets in `status`, oldest first (created_at, then the time-ordered id),
   * through ix_tx_status_created: half a million POs waiting on the ERP are read a page at a time,
   * never at once.
   */
  async backlogPage(
    status: TransactionStatus,
    after: BacklogCursor | undefined,
    limit: number,
  ): Promise<{ ids: string[]; next?: BacklogCursor }> {
    const page = await this.page(waitingIn(status), after, limit);
    return { ids: page.rows.map((r) => r.id), next: page.next };
  }

  /**
   * A page of what a stage has left (`left`: the method of the same name, read whole), in the same
   * order, for the scaled sweep: each of its rows is looked up in Redis, a page at a time.
   */
  leftPage(
    left: LeftWork,
    after: BacklogCursor | undefined,
    limit: number,
  ): Promise<{ rows: Unfinished[]; next?: BacklogCursor }> {
    return this.page(LEFT[left], after, limit);
  }

  /**
   * A keyset page on (key, id), the order of the backlog's index (with no limit, all of it): a page
   * starts right after the cursor's row, also inside its second (SQLite's times are whole seconds),
   * so no row is read twice or skipped. The cursor's key is kept as the database's text (Postgres keeps microseconds,
   * a Date only milliseconds), `at` is read as the entity reads its column.
   */
  private async page(
    backlog: Backlog,
    after: BacklogCursor | undefined,
    limit?: number,
  ): Promise<{ rows: Unfinished[]; next?: BacklogCursor }> {
    const meta = this.m.connection.getMetadata(backlog.entity);
    const column = (property: string) => meta.findColumnWithPropertyName(property)!;
    const key = `t.${column(backlog.key).databaseName}`;
    const at = column(backlog.at);
    const params: unknown[] = [];
    const postgres = this.m.connection.options.type === 'postgres';
    const param = (value: unknown) => (params.push(value), postgres ? `$${params.length}` : '?');
    let where = backlog.where(param);
    if (after)
      where += ` AND ${key} >= ${param(after.at)} AND (${key} > ${param(after.at)} OR t.id > ${param(after.id)})`;
    const rows = await this.m.query<Array<{ id: string; k: string; at: unknown }>>(
      `SELECT t.id AS id, CAST(${key} AS VARCHAR) AS k, t.${at.databaseName} AS at FROM ${meta.tableName} t WHERE ${where} ORDER BY ${key} ASC, t.id ASC${limit === undefined ? '' : ` LIMIT ${param(limit)}`}`,
      params,
    );
    const driver = this.m.connection.driver;
    const last = rows[rows.length - 1];
    return {
      rows: rows.map((r) => ({
        id: r.id,
        at: new Date(driver.prepareHydratedValue(r.at, at) as Date | string),
      })),
      next:
        limit === undefined || rows.length < limit || !last ? undefined : { at: String(last.k), id: last.id },
    };
  }

  /**
   * How many released sets wait in `status`: all of them (a count of the status index alone),
   * less those of interchanges still being translated, found from those few interchanges (CROSS
   * JOIN keeps SQLite to that order). Checking each waiting set's interchange instead took 2.5 s
   * for half a million on SQLite, this 0.1 s.
   */
  async backlogCount(status: TransactionStatus): Promise<number> {
    const [a, b] = placeholders(this.m.connection, 2);
    const [row] = await this.m.query<Array<{ n: number | string }>>(
      `SELECT (SELECT COUNT(*) FROM transactions WHERE status = ${a}) - (SELECT COUNT(*) FROM interchanges i CROSS JOIN transactions t WHERE i.status = 'received' AND t.interchange_id = i.id AND t.status = ${b}) AS n`,
      [status, status],
    );
    return Number(row?.n ?? 0);
  }

  /** A page of one interchange's sets in `status`, in file order after `afterSetIndex` (ix_tx_interchange_set). */
  async interchangePage(
    interchangeId: string,
    status: TransactionStatus,
    afterSetIndex: number,
    limit: number,
  ): Promise<Array<{ id: string; setIndex: number }>> {
    const [a, b, c, d] = placeholders(this.m.connection, 4);
    const rows = await this.m.query<Array<{ id: string; setIndex: number | string }>>(
      `SELECT id, set_index AS "setIndex" FROM transactions WHERE interchange_id = ${a} AND set_index > ${b} AND status = ${c} ORDER BY set_index ASC LIMIT ${d}`,
      [interchangeId, afterSetIndex, status, limit],
    );
    return rows.map((r) => ({ id: r.id, setIndex: Number(r.setIndex) }));
  }

  /** Where a set is in its file (its set_index), -1 for a set with none. */
  async setIndexOf(id: string): Promise<number> {
    const [a] = placeholders(this.m.connection, 1);
    const [row] = await this.m.query<Array<{ setIndex: number | string | null }>>(
      `SELECT set_index AS "setIndex" FROM transactions WHERE id = ${a}`,
      [id],
    );
    return row?.setIndex == null ? -1 : Number(row.setIndex);
  }

  /**
   * The first `limit` sets of an interchange in file order, as its outcome lists them, and, when
   * it has more (a nightly batch, whose rest is handed on in pages), how many of each status.
   */
  async firstSets(
    interchangeId: string,
    limit: number,
  ): Promise<{ rows: SetLine[]; byStatus?: Map<TransactionStatus, number> }> {
    const [a, b] = placeholders(this.m.connection, 2);
    const rows = await this.m.query<SetLine[]>(
      `SELECT id, set_id AS "setId", control_number AS "controlNumber", status, duplicate_of AS "duplicateOf" FROM transactions WHERE interchange_id = ${a} ORDER BY set_index ASC, id ASC LIMIT ${b}`,
      [interchangeId, limit + 1],
    );
    if (rows.length <= limit) return { rows };
    rows.length = limit;
    const counts = await this.m.query<Array<{ status: TransactionStatus; n: number | string }>>(
      `SELECT status, COUNT(*) AS n FROM transactions WHERE interchange_id = ${a} GROUP BY status`,
      [interchangeId],
    );
    return { rows, byStatus: new Map(counts.map((c) => [c.status, Number(c.n)])) };
  }
}
