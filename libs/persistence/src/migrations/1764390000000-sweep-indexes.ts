import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The scaled sweep reads what each stage has left a page at a time, in keyset order (UnfinishedWork
 * .leftPage). The sets waiting in a status have ix_tx_status_created; the interchanges not yet
 * translated and the documents not yet pushed had no index in that order, so each page would read
 * every such row again. Partial indexes of the open work only: they stay small however long the
 * history grows. Their WHERE is the sweep's, word for word: SQLite uses a partial index only when
 * the query's WHERE contains its terms.
 */
export class SweepIndexes1764390000000 implements MigrationInterface {
  name = 'SweepIndexes1764390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'interchanges',
      new TableIndex({
        name: 'ix_interchange_received',
        columnNames: ['received_at', 'id'],
        where: "status = 'received'",
      }),
    );
    await q.createIndex(
      'outbound_documents',
      new TableIndex({
        name: 'ix_out_to_push',
        columnNames: ['created_at', 'id'],
        where: "status = 'pending' AND channel IN ('webhook', 'sftp', 'as2')",
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('outbound_documents', 'ix_out_to_push');
    await q.dropIndex('interchanges', 'ix_interchange_received');
  }
}
