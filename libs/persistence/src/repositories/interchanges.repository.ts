import { NotFoundError } from '@edi/contracts';
import { EntityNotFoundError, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { placeholders } from '../data-source';
import { Interchange, type InterchangeStatus } from '../entities/interchange.entity';
import { managerOf, type Db } from './db';
import { storedChunks } from './payload-chunks.repository';
import { selectRows, updateRows } from './rows';

/** Received files: their rows and raw bytes, and the claims that move them through translation. */
export class Interchanges {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  async byId(id: string): Promise<Interchange> {
    const [row] = await selectRows(this.m, Interchange, { id });
    if (!row) throw new EntityNotFoundError(Interchange, { id });
    return row;
  }

  /** The interchange a partner sent with this Idempotency-Key, if any (unique index). */
  byIdempotencyKey(partnerId: string, idempotencyKey: string): Promise<Interchange | null> {
    return this.m.getRepository(Interchange).findOneBy({ partnerId, idempotencyKey });
  }

  create(fields: Partial<Interchange>): Interchange {
    return this.m.getRepository(Interchange).create(fields);
  }

  /** The row and its bytes, in the caller's transaction: both are stored or neither is. */
  async insertWithPayload(interchange: Interchange, raw: Buffer): Promise<void> {
    await this.m.getRepository(Interchange).insert(interchange as QueryDeepPartialEntity<Interchange>);
    const [a, b] = placeholders(this.m.connection, 2);
    await this.m.query(`INSERT INTO interchange_payloads (interchange_id, data) VALUES (${a}, ${b})`, [
      interchange.id,
      raw,
    ]);
  }

  /** The row alone: its bytes were stored as chunks while they streamed in (PayloadChunks). */
  async insertChunked(interchange: Interchange): Promise<void> {
    await this.m.getRepository(Interchange).insert(interchange as QueryDeepPartialEntity<Interchange>);
  }

  /** The whole payload in memory; a large body's chunks are joined (pieces() reads them one by one). */
  async payload(id: string): Promise<Buffer | undefined> {
    const whole = await this.wholePayload(id);
    if (whole) return whole;
    const chunks: Buffer[] = [];
    for await (const c of storedChunks(this.m, id)) chunks.push(c);
    return chunks.length ? Buffer.concat(chunks) : undefined;
  }

  /**
   * The payload a piece at a time: a payload row cut in `pieceBytes` views, or a large body's
   * chunks read one query each, so a 500 MB interchange is never in memory at once.
   */
  async *pieces(id: string, pieceBytes: number): AsyncGenerator<Buffer> {
    const whole = await this.wholePayload(id);
    if (whole) {
      for (let k = 0; k < whole.length; k += pieceBytes) yield whole.subarray(k, k + pieceBytes);
      return;
    }
    let any = false;
    for await (const c of storedChunks(this.m, id)) {
      any = true;
      for (let k = 0; k < c.length; k += pieceBytes) yield c.subarray(k, k + pieceBytes);
    }
    if (!any) throw new NotFoundError(`interchange ${id} has no stored payload`);
  }

  private async wholePayload(id: string): Promise<Buffer | undefined> {
    const [a] = placeholders(this.m.connection, 1);
    const rows = await this.m.query<Array<{ data: Buffer }>>(
      `SELECT data FROM interchange_payloads WHERE interchange_id = ${a}`,
      [id],
    );
    return rows[0]?.data;
  }

  /**
   * Moves the row from one status to another; false when it was not in `from` (another worker
   * moved it first). Inside a transaction the row stays locked until the commit.
   */
  async move(
    id: string,
    from: InterchangeStatus,
    to: InterchangeStatus,
    issues?: unknown[] | null,
  ): Promise<boolean> {
    const set = issues === undefined ? { status: to } : { status: to, issues };
    return (await updateRows(this.m, Interchange, { id, status: from }, set)) > 0;
  }

  /** The outcome of a translation: its status and the findings of every interchange of the file. */
  async finish(id: string, status: InterchangeStatus, issues: unknown[]): Promise<void> {
    // update, not save(): save() reads the row back first, a round trip for nothing
    await updateRows(this.m, Interchange, { id }, { status, issues });
  }
}
