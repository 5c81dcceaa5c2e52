import type { EntityManager } from 'typeorm';
import { placeholders } from '../data-source';
import { managerOf, type Db } from './db';

/** What a resumed translation reads back of a set committed by an earlier batch. */
export interface CommittedSet {
  id: string;
  setIndex: number;
  setId: string;
  controlNumber: string;
  poNumber: string | null;
  status: string;
  duplicateOf: string | null;
}

/** A set committed before its group's GE, as the group's rejection must rewrite it. */
export interface TakenSet {
  id: string;
  setIndex: number;
  issues: unknown[];
}

/**
 * The claim a worker holds on an interchange it translates in batches, and the sets it committed:
 * a claim outlives each batch's transaction, ends with the last one, and lapses at `until_ms` when
 * its worker died, for another to resume after the last committed batch.
 */
export class TranslationClaims {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  /**
   * Takes the claim when nobody holds it or its holder let it lapse: the sets already committed
   * (0 for a first run), or undefined while another holds it.
   */
  async take(
    interchangeId: string,
    token: string,
    untilMs: number,
    nowMs: number,
  ): Promise<number | undefined> {
    const [a, b, c, d] = placeholders(this.m.connection, 4);
    const rows = await this.m.query<Array<{ sets_done: number | string }>>(
      `INSERT INTO translation_claims (interchange_id, token, until_ms, sets_done) VALUES (${a}, ${b}, ${c}, 0)
         ON CONFLICT (interchange_id) DO UPDATE SET token = excluded.token, until_ms = excluded.until_ms
         WHERE translation_claims.until_ms < ${d} RETURNING sets_done`,
      [interchangeId, token, untilMs, nowMs],
    );
    return rows[0] ? Number(rows[0].sets_done) : undefined;
  }

  /**
   * The first statement of each batch: extends the claim and records how far the file is
   * committed once this transaction commits; false when the claim is no longer this worker's.
   * On Postgres the row stays locked to the commit, so two workers never write batches together.
   */
  async renew(interchangeId: string, token: string, untilMs: number, setsDone: number): Promise<boolean> {
    const [a, b, c, d] = placeholders(this.m.connection, 4);
    const rows = await this.m.query<unknown[]>(
      `UPDATE translation_claims SET until_ms = ${a}, sets_done = ${b} WHERE interchange_id = ${c} AND token = ${d} RETURNING interchange_id`,
      [untilMs, setsDone, interchangeId, token],
    );
    return rows.length > 0;
  }

  /** The heartbeat between batches: the claim held longer, while this worker is alive; false when it is no longer its. */
  async extend(interchangeId: string, token: string, untilMs: number): Promise<boolean> {
    const [a, b, c] = placeholders(this.m.connection, 3);
    const rows = await this.m.query<unknown[]>(
      `UPDATE translation_claims SET until_ms = ${a} WHERE interchange_id = ${b} AND token = ${c} RETURNING interchange_id`,
      [untilMs, interchangeId, token],
    );
    return rows.length > 0;
  }

  /** Whether a run holds the interchange now (its claim has not lapsed). */
  async held(interchangeId: string, nowMs: number): Promise<boolean> {
    const [a, b] = placeholders(this.m.connection, 2);
    const rows = await this.m.query<unknown[]>(
      `SELECT 1 AS held FROM translation_claims WHERE interchange_id = ${a} AND until_ms >= ${b}`,
      [interchangeId, nowMs],
    );
    return rows.length > 0;
  }

  /** Lets go of the claim at once (a run that failed), so a retry need not wait for it to lapse. */
  async release(interchangeId: string, token: string): Promise<void> {
    const [a, b] = placeholders(this.m.connection, 2);
    await this.m.query(
      `UPDATE translation_claims SET until_ms = 0 WHERE interchange_id = ${a} AND token = ${b}`,
      [interchangeId, token],
    );
  }

  /** The translation is over: the claim goes, in the transaction that finishes the interchange. */
  async end(interchangeId: string): Promise<void> {
    const [a] = placeholders(this.m.connection, 1);
    await this.m.query(`DELETE FROM translation_claims WHERE interchange_id = ${a}`, [interchangeId]);
  }

  /** The interchange's sets committed with a place in the file in [from, to), by the (interchange_id, set_index) index. */
  async committed(interchangeId: string, from: number, to: number): Promise<CommittedSet[]> {
    const [a, b, c] = placeholders(this.m.connection, 3);
    const rows = await this.m.query<
      Array<{
        id: string;
        set_index: number | string;
        set_id: string;
        control_number: string;
        po_number: string | null;
        status: string;
        duplicate_of: string | null;
      }>
    >(
      `SELECT id, set_index, set_id, control_number, po_number, status, duplicate_of FROM transactions
         WHERE interchange_id = ${a} AND set_index >= ${b} AND set_index < ${c} ORDER BY set_index`,
      [interchangeId, from, to],
    );
    return rows.map((r) => ({
      id: r.id,
      setIndex: Number(r.set_index),
      setId: r.set_id,
      controlNumber: r.control_number,
      poNumber: r.po_number,
      status: r.status,
      duplicateOf: r.duplicate_of,
    }));
  }

  /** At most `limit` sets of [from, to] still in one of `statuses`, lowest place first. */
  async taken(
    interchangeId: string,
    from: number,
    to: number,
    statuses: readonly string[],
    limit: number,
  ): Promise<TakenSet[]> {
    const ph = placeholders(this.m.connection, 3 + statuses.length);
    const rows = await this.m.query<Array<{ id: string; set_index: number | string; issues: string | null }>>(
      `SELECT id, set_index, issues FROM transactions WHERE interchange_id = ${ph[0]} AND set_index >= ${ph[1]}
         AND set_index <= ${ph[2]} AND status IN (${ph.slice(3).join(', ')}) ORDER BY set_index LIMIT ${Math.floor(limit)}`,
      [interchangeId, from, to, ...statuses],
    );
    return rows.map((r) => ({
      id: r.id,
      setIndex: Number(r.set_index),
      issues: r.issues ? (JSON.parse(r.issues) as unknown[]) : [],
    }));
  }

  /**
   * Sets taken back after their thread keys were recorded (their group rejected at its GE): the
   * keys go too, so no order thread or search finds them as live documents.
   */
  async dropKeys(transactionIds: readonly string[]): Promise<void> {
    for (let k = 0; k < transactionIds.length; k += 400) {
      const ids = transactionIds.slice(k, k + 400);
      const ph = placeholders(this.m.connection, ids.length);
      await this.m.query(`DELETE FROM business_keys WHERE transaction_id IN (${ph.join(', ')})`, ids);
    }
  }
}
