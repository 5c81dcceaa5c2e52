import type { DataSource } from 'typeorm';
import { placeholders, transact } from '../data-source';
import { managerOf, type Db } from './db';

/**
 * The bytes of a large body, in numbered chunks written as it streams in (each in its own short
 * transaction, so a slow upload never holds SQLite's one writer). Its interchange row is committed
 * after the last chunk: until then the chunks belong to nobody, and the sweep removes those that
 * stay so (an upload cut off, a process killed mid-upload).
 */
export class PayloadChunks {
  constructor(private readonly ds: DataSource) {}

  async append(interchangeId: string, seq: number, data: Buffer): Promise<void> {
    const [a, b, c] = placeholders(this.ds, 3);
    await transact(this.ds, (m) =>
      m.query(
        `INSERT INTO interchange_payload_chunks (interchange_id, seq, data) VALUES (${a}, ${b}, ${c})`,
        [interchangeId, seq, data],
      ),
    );
  }

  /** The chunks of an upload that will not be stored (refused, cut off, a replay). */
  async drop(interchangeId: string): Promise<void> {
    const [a] = placeholders(this.ds, 1);
    await transact(this.ds, (m) =>
      m.query(`DELETE FROM interchange_payload_chunks WHERE interchange_id = ${a}`, [interchangeId]),
    );
  }

  /** Chunks older than this many seconds whose interchange row was never committed. */
  async dropOrphans(olderThanSeconds: number): Promise<void> {
    const pg = this.ds.options.type === 'postgres';
    const cutoff = pg ? `now() - make_interval(secs => $1::double precision)` : `datetime('now', ?)`;
    await transact(this.ds, (m) =>
      m.query(
        `DELETE FROM interchange_payload_chunks WHERE created_at < ${cutoff}
           AND NOT EXISTS (SELECT 1 FROM interchanges i WHERE i.id = interchange_payload_chunks.interchange_id)`,
        [pg ? olderThanSeconds : `-${olderThanSeconds} seconds`],
      ),
    );
  }
}

/** The chunks of an interchange in order, one query each, so only one is in memory at a time. */
export async function* storedChunks(db: Db, interchangeId: string): AsyncGenerator<Buffer> {
  const m = managerOf(db);
  const [a, b] = placeholders(m.connection, 2);
  for (let seq = 0; ; seq++) {
    const rows = await m.query<Array<{ data: Buffer }>>(
      `SELECT data FROM interchange_payload_chunks WHERE interchange_id = ${a} AND seq = ${b}`,
      [interchangeId, seq],
    );
    const data = rows[0]?.data;
    if (!data) return;
    yield data;
  }
}
