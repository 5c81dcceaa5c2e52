import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * The staff console: staff accounts and their sessions, the link between a transaction and the
 * version staff resubmitted in its place, and the indexes the console's all-partner lists page by.
 */
export class Console1764110000000 implements MigrationInterface {
  name = 'Console1764110000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const ts = pg ? 'timestamp' : 'datetime';
    const now = pg ? 'now()' : "(datetime('now'))";
    await q.createTable(
      new Table({
        name: 'staff_users',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'username', type: 'varchar', length: '64' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'role', type: 'varchar', length: '10' },
          // scrypt$N$r$p$salt$hash: the parameters travel with the hash, so they can be raised later
          { name: 'password_hash', type: 'varchar', length: '200' },
          { name: 'disabled_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'created_at', type: ts, default: now },
        ],
      }),
    );
    await q.createIndex(
      'staff_users',
      new TableIndex({ name: 'ux_staff_username', columnNames: ['username'], isUnique: true }),
    );
    // failed sign-ins by the name tried, whether or not it is an account: a name that does not
    // exist locks the same way, so the lock tells nobody which names are real
    await q.createTable(
      new Table({
        name: 'staff_sign_in_failures',
        columns: [
          { name: 'username', type: 'varchar', length: '64', isPrimary: true },
          { name: 'failures', type: 'integer', default: 0 },
          { name: 'locked_until', type: 'varchar', length: '30', isNullable: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'staff_sessions',
        columns: [
          // the SHA-256 of the cookie's token: a leaked table opens no session
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'csrf_token', type: 'varchar', length: '64' },
          { name: 'created_at', type: ts, default: now },
          { name: 'expires_at', type: 'varchar', length: '30' },
          { name: 'ends_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    await q.createIndex(
      'staff_sessions',
      new TableIndex({ name: 'ix_session_user', columnNames: ['user_id'] }),
    );
    await q.addColumns('transactions', [
      new TableColumn({ name: 'resubmitted_from', type: 'varchar', length: '36', isNullable: true }),
      // which set of its file it is (0, 1, …): control numbers may repeat inside a file
      new TableColumn({ name: 'set_index', type: 'integer', isNullable: true }),
    ]);
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_resubmitted_from', columnNames: ['resubmitted_from'] }),
    );
    // the console lists every partner's transactions newest first, by status or not
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_created', columnNames: ['created_at', 'id'] }),
    );
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_status_created', columnNames: ['status', 'created_at', 'id'] }),
    );
    await q.addColumns('interchanges', [
      new TableColumn({ name: 'resubmit_of', type: 'varchar', length: '36', isNullable: true }),
      // staff released a held set: it is not a duplicate, by their decision
      new TableColumn({ name: 'released', type: 'boolean', default: false }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('interchanges', ['resubmit_of', 'released']);
    await q.dropIndex('transactions', 'ix_tx_status_created');
    await q.dropIndex('transactions', 'ix_tx_created');
    await q.dropIndex('transactions', 'ix_tx_resubmitted_from');
    await q.dropColumns('transactions', ['resubmitted_from', 'set_index']);
    await q.dropTable('staff_sessions');
    await q.dropTable('staff_sign_in_failures');
    await q.dropTable('staff_users');
  }
}
