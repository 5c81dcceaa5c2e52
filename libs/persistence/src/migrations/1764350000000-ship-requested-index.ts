import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The orders whose shipments must be read (UnfinishedWork.shipRequested, at start and every minute)
 * are found by ship_requested_at, which had no index: each look read the whole transactions table.
 * A partial index holds only the few rows with a request, so it stays small however long the
 * history grows; both SQLite and Postgres use it for `IS NOT NULL ORDER BY ship_requested_at`.
 */
export class ShipRequestedIndex1764350000000 implements MigrationInterface {
  name = 'ShipRequestedIndex1764350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'transactions',
      new TableIndex({
        name: 'ix_tx_ship_requested',
        columnNames: ['ship_requested_at'],
        where: 'ship_requested_at IS NOT NULL',
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transactions', 'ix_tx_ship_requested');
  }
}
