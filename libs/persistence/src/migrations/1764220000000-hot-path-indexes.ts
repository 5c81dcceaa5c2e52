import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * On Postgres, the outbound migration's changeColumn of transactions.interchange_id (made
 * nullable) dropped the index on it with the old column, so finding an interchange's sets (the
 * translate outcome, every receipt with ?wait=true, the console) read the whole table. SQLite
 * kept its index. Created where it is missing, under its own name, and checked by
 * test/query-plans.spec.ts with every other query the stages run per document.
 */
export class HotPathIndexes1764220000000 implements MigrationInterface {
  name = 'HotPathIndexes1764220000000';

  async up(q: QueryRunner): Promise<void> {
    const table = await q.getTable('transactions');
    const has = table?.indices.some(
      (i) => i.columnNames.length === 1 && i.columnNames[0] === 'interchange_id',
    );
    if (!has)
      await q.createIndex(
        'transactions',
        new TableIndex({ name: 'ix_tx_interchange', columnNames: ['interchange_id'] }),
      );
  }

  async down(q: QueryRunner): Promise<void> {
    const table = await q.getTable('transactions');
    if (table?.indices.some((i) => i.name === 'ix_tx_interchange'))
      await q.dropIndex('transactions', 'ix_tx_interchange');
  }
}
