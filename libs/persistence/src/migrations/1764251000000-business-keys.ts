import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The business identifiers of a document (invoice number, shipment id, SSCC…), one row each, so an
 * order thread is found by any of them with an indexed probe instead of a scan of the documents' JSON.
 */
export class BusinessKeys1764251000000 implements MigrationInterface {
  name = 'BusinessKeys1764251000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'business_keys',
        columns: [
          { name: 'transaction_id', type: 'varchar', length: '36', isPrimary: true },
          // invoice, shipment, sscc
          { name: 'kind', type: 'varchar', length: '12', isPrimary: true },
          { name: 'value', type: 'varchar', length: '80', isPrimary: true },
          { name: 'partner_id', type: 'varchar', length: '36' },
        ],
      }),
    );
    await q.createIndex(
      'business_keys',
      new TableIndex({ name: 'ix_business_keys_value', columnNames: ['kind', 'value', 'partner_id'] }),
    );
    // the console finds a PO across partners; the API, within one (partner_id, po_number exists)
    await q.createIndex('transactions', new TableIndex({ name: 'ix_tx_po', columnNames: ['po_number'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transactions', 'ix_tx_po');
    await q.dropTable('business_keys');
  }
}
