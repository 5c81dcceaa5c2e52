import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The duplicate checks ran as scans (ISA13 by LIKE over a comma list, ST02 without an index) and
 * slowed down as the tables grew. ISA13s get a table of their own, unique per partner so two
 * workers can never both accept the same one, and ST02 an index.
 */
export class ControlNumberIndex1764072000000 implements MigrationInterface {
  name = 'ControlNumberIndex1764072000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'interchange_control_numbers',
        columns: [
          { name: 'partner_id', type: 'varchar', length: '36' },
          { name: 'control_number', type: 'varchar', length: '9' },
          { name: 'interchange_id', type: 'varchar', length: '36' },
        ],
      }),
    );
    await q.createIndex(
      'interchange_control_numbers',
      new TableIndex({
        name: 'ux_icn_partner_control',
        columnNames: ['partner_id', 'control_number'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_partner_control', columnNames: ['partner_id', 'control_number'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transactions', 'ix_tx_partner_control');
    await q.dropTable('interchange_control_numbers');
  }
}
