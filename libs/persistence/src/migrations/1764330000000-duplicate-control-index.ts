import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The duplicate rule "the same GS06 and ST02 received before" looked earlier sets up by ST02 alone
 * (partner, control_number), then compared GS06 in memory. Most partners number every set 0001,
 * so that lookup read every earlier set of the partner and cost each PO more as the history grew
 * (1 ms of SQLite a PO at 600 stored POs, and rising). By (partner, GS06, ST02) it reads only the
 * sets that match both. It replaces (partner, GS06), which it starts with: the acknowledgments'
 * lookups by GS06 use it as well, and each insert keeps one index fewer.
 */
export class DuplicateControlIndex1764330000000 implements MigrationInterface {
  name = 'DuplicateControlIndex1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'transactions',
      new TableIndex({
        name: 'ix_tx_partner_group_control',
        columnNames: ['partner_id', 'group_control', 'control_number'],
      }),
    );
    await q.dropIndex('transactions', 'ix_tx_partner_group');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_partner_group', columnNames: ['partner_id', 'group_control'] }),
    );
    await q.dropIndex('transactions', 'ix_tx_partner_group_control');
  }
}
