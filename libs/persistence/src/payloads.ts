import type { DataSource, EntityManager } from 'typeorm';
import { placeholders } from './data-source';

/** The raw bytes of each interchange, stored before anything answers the sender. */
export class Payloads {
  constructor(private readonly ds: DataSource) {}

  async save(interchangeId: string, data: Buffer, manager: EntityManager = this.ds.manager): Promise<void> {
    const [a, b] = placeholders(this.ds, 2);
    await manager.query(`INSERT INTO interchange_payloads (interchange_id, data) VALUES (${a}, ${b})`, [
      interchangeId,
      data,
    ]);
  }

  async load(interchangeId: string): Promise<Buffer | undefined> {
    const [a] = placeholders(this.ds, 1);
    const rows = await this.ds.query<Array<{ data: Buffer }>>(
      `SELECT data FROM interchange_payloads WHERE interchange_id = ${a}`,
      [interchangeId],
    );
    return rows[0]?.data;
  }
}
