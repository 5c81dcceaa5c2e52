import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Partners in test mode: each transaction and outbound document says whether it is test data
 * (false for all there are: partners were in production), and the orders a test partner's POs
 * would have made are kept here instead of in the ERP (the dry-run ERP's book).
 */
export class TestMode1764310000000 implements MigrationInterface {
  name = 'TestMode1764310000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.addColumn('transactions', new TableColumn({ name: 'test', type: 'boolean', default: false }));
    await q.addColumn(
      'outbound_documents',
      new TableColumn({ name: 'test', type: 'boolean', default: false }),
    );
    await q.createTable(
      new Table({
        name: 'dry_run_orders',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          // partner id + PO number, as the real ERP keys an order: the same PO again is the same order
          { name: 'external_ref', type: 'varchar', length: '100' },
          { name: 'customer_id', type: 'varchar', length: '64' },
          { name: 'po_number', type: 'varchar', length: '30' },
          { name: 'lines', type: 'text' },
          {
            name: 'created_at',
            type: pg ? 'timestamp' : 'datetime',
            default: pg ? 'now()' : "(datetime('now'))",
          },
        ],
      }),
    );
    await q.createIndex(
      'dry_run_orders',
      new TableIndex({ name: 'ux_dry_run_external_ref', columnNames: ['external_ref'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('dry_run_orders');
    await q.dropColumn('outbound_documents', 'test');
    await q.dropColumn('transactions', 'test');
  }
}
