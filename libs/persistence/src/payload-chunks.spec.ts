import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../test/helpers/databases';
import { openDatabase, transact, type PersistenceConfig } from './data-source';
import { Interchanges } from './repositories/interchanges.repository';
import { PayloadChunks } from './repositories/payload-chunks.repository';

/** A large body's chunks: read back in order, and those of an upload that never got its row swept. */
describe.each(databaseConfigs())('payload chunks on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let chunks: PayloadChunks;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    chunks = new PayloadChunks(ds);
  });

  afterAll(async () => {
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  /** An interchange row whose bytes are the chunks already written under its id. */
  async function stored(id: string, size: number): Promise<void> {
    const row = new Interchanges(ds).create({
      id,
      partnerId: randomUUID(),
      source: 'http',
      sha256: '0'.repeat(64),
      size,
      idempotencyKey: null,
      controlNumbers: null,
      status: 'received',
      issues: null,
    });
    await transact(ds, (m) => new Interchanges(m).insertChunked(row));
  }

  /** Backdates an upload's chunks by two days, as if it had been cut off then. */
  async function backdate(id: string): Promise<void> {
    const pg = ds.options.type === 'postgres';
    await ds.query(
      `UPDATE interchange_payload_chunks SET created_at = ${pg ? "now() - interval '2 days'" : "datetime('now', '-2 days')"} WHERE interchange_id = ${pg ? '$1' : '?'}`,
      [id],
    );
  }

  it('gives the chunks back in order, whole or a piece at a time', async () => {
    const id = randomUUID();
    for (const [seq, text] of ['ISA*first', '*second', '*third~'].entries())
      await chunks.append(id, seq, Buffer.from(text));
    await stored(id, 23);
    expect((await new Interchanges(ds).payload(id))?.toString()).toBe('ISA*first*second*third~');
    const pieces: string[] = [];
    for await (const p of new Interchanges(ds).pieces(id, 4)) pieces.push(p.toString());
    expect(pieces).toEqual(['ISA*', 'firs', 't', '*sec', 'ond', '*thi', 'rd~']);
  });

  it('sweeps the chunks of an old upload that never got its row, and only those', async () => {
    const [cutOff, running, kept] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [cutOff, running, kept]) {
      await chunks.append(id, 0, Buffer.alloc(10, 0x41));
      await chunks.append(id, 1, Buffer.alloc(10, 0x42));
    }
    await stored(kept, 20);
    await backdate(cutOff);
    await backdate(kept);
    await chunks.dropOrphans(86_400);
    const count = async (id: string) => {
      const rows = await ds.query<Array<{ n: number | string }>>(
        `SELECT COUNT(*) AS n FROM interchange_payload_chunks WHERE interchange_id = ${ds.options.type === 'postgres' ? '$1' : '?'}`,
        [id],
      );
      return Number(rows[0]!.n);
    };
    expect([await count(cutOff), await count(running), await count(kept)]).toEqual([0, 2, 2]);
  });

  it('refuses to read an interchange that has no bytes at all', async () => {
    const read = async () => {
      for await (const _ of new Interchanges(ds).pieces(randomUUID(), 10)) void _;
    };
    await expect(read()).rejects.toThrow(/no stored payload/);
  });
});
