import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Translation in batches: an interchange is translated in several database transactions, so the
 * worker doing it holds a claim that outlives each of them (translation_claims: who, until when,
 * and how many of the file's sets are committed), and a worker that dies mid-way is succeeded by
 * one that resumes after the last committed batch. The sets of one interchange are read back by
 * their place in the file (resume, a group rejected at its GE), hence (interchange_id, set_index).
 */
export class TranslationClaims1764370000000 implements MigrationInterface {
  name = 'TranslationClaims1764370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'translation_claims',
        columns: [
          { name: 'interchange_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'token', type: 'varchar', length: '36' },
          // milliseconds since 1970: compared with the stage's clock, the same on both databases
          { name: 'until_ms', type: 'bigint' },
          { name: 'sets_done', type: 'integer', default: 0 },
        ],
      }),
    );
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_interchange_set', columnNames: ['interchange_id', 'set_index'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('transactions', 'ix_tx_interchange_set');
    await q.dropTable('translation_claims');
  }
}
