import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * A partner's SFTP server: its settings sealed (they hold a password or a private key), how the
 * last poll went, and a lease so only one process in the cluster polls a partner at a time.
 */
export class Sftp1764100000000 implements MigrationInterface {
  name = 'Sftp1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('trading_partners', [
      new TableColumn({ name: 'sftp', type: 'text', isNullable: true }),
      new TableColumn({ name: 'sftp_health', type: 'text', isNullable: true }),
      // '<ISO time until> <owner token>': only its owner releases it
      new TableColumn({ name: 'sftp_lease_until', type: 'varchar', length: '80', isNullable: true }),
      // the partner's mailbox on our side (retailers who poll us), by its name
      new TableColumn({ name: 'mailbox', type: 'varchar', length: '25', isNullable: true }),
    ]);
    // one partner per mailbox: two would take each other's files
    await q.createIndex(
      'trading_partners',
      new TableIndex({ name: 'ux_partner_mailbox', columnNames: ['mailbox'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('trading_partners', 'ux_partner_mailbox');
    await q.dropColumns('trading_partners', ['sftp', 'sftp_health', 'sftp_lease_until', 'mailbox']);
  }
}
