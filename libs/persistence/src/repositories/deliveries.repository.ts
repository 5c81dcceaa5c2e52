import type { EntityManager } from 'typeorm';
import { Delivery } from '../entities/delivery.entity';
import { managerOf, type Db } from './db';
import { insertRows } from './rows';

export type DeliveryAttempt = Pick<
  Delivery,
  'documentId' | 'partnerId' | 'channel' | 'attempt' | 'ok' | 'statusCode' | 'detail' | 'ms'
>;

/** The delivery log: a row per attempt to hand a document to its partner. */
export class Deliveries {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  async record(attempt: DeliveryAttempt): Promise<void> {
    await insertRows(this.m, Delivery, [Object.assign(new Delivery(), attempt)]);
  }

  /**
   * Postgres only: a push the partner took, recorded as the deliver stage's transaction records it
   * (the attempt, the document delivered if still pending, its set delivered) in one statement,
   * whose data-modifying WITHs commit together: one round trip, where BEGIN, the three statements
   * and COMMIT took five.
   */
  async deliveredAtOnce(attempt: DeliveryAttempt, at: string, transactionId: string | null): Promise<void> {
    if (this.m.connection.options.type !== 'postgres') throw new Error('deliveredAtOnce is for Postgres');
    const row = Object.assign(new Delivery(), attempt);
    await this.m.query(
      `WITH tried AS (INSERT INTO deliveries (id, document_id, partner_id, channel, attempt, ok, status_code, detail, ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)),
      sent AS (UPDATE outbound_documents SET attempts = $5, status = 'delivered', delivered_at = $10, last_error = NULL WHERE id = $2 AND status = 'pending')
      UPDATE transactions SET status = 'delivered', updated_at = CURRENT_TIMESTAMP WHERE id = $11`,
      [
        row.id,
        row.documentId,
        row.partnerId,
        row.channel,
        row.attempt,
        row.ok,
        row.statusCode,
        row.detail,
        row.ms,
        at,
        transactionId,
      ],
    );
  }
}
