import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * What links a transaction to the ERP: the sales order an 850 became, the shipment an 856
 * announces, the invoice an 810 carries. Unique per partner, set and direction, so the same
 * shipment can never be announced twice, however many events or workers race.
 */
export class Erp1764090000000 implements MigrationInterface {
  name = 'Erp1764090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'transactions',
      new TableColumn({ name: 'erp_ref', type: 'varchar', length: '64', isNullable: true }),
    );
    await q.createIndex(
      'transactions',
      new TableIndex({
        name: 'ux_tx_erp_ref',
        columnNames: ['partner_id', 'direction', 'set_id', 'erp_ref'],
        isUnique: true,
      }),
    );
    await q.createIndex('transactions', new TableIndex({ name: 'ix_tx_erp_ref', columnNames: ['erp_ref'] }));
    // an order whose shipments must be read (an ERP event came, or autoShip): kept until the ship
    // stage has sent what it found, so a crash or an ERP outage cannot lose the event
    await q.addColumn(
      'transactions',
      new TableColumn({ name: 'ship_requested_at', type: 'varchar', length: '30', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('transactions', 'ship_requested_at');
    await q.dropIndex('transactions', 'ix_tx_erp_ref');
    await q.dropIndex('transactions', 'ux_tx_erp_ref');
    await q.dropColumn('transactions', 'erp_ref');
  }
}
