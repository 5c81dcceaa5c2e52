import type { EntityManager } from 'typeorm';
import { managerOf, type Db } from './db';

/** Counts for the metrics every process reports alike (a scrape reads them, not the hot path). */
export class DocumentCounts {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  async transactions(): Promise<Array<{ direction: string; setId: string; status: string; n: number }>> {
    const rows = await this.m.query<
      Array<{ direction: string; set_id: string; status: string; n: number | string }>
    >('SELECT direction, set_id, status, COUNT(*) AS n FROM transactions GROUP BY direction, set_id, status');
    return rows.map((r) => ({ direction: r.direction, setId: r.set_id, status: r.status, n: Number(r.n) }));
  }

  async outbound(): Promise<Array<{ channel: string; status: string; n: number }>> {
    const rows = await this.m.query<Array<{ channel: string; status: string; n: number | string }>>(
      'SELECT channel, status, COUNT(*) AS n FROM outbound_documents GROUP BY channel, status',
    );
    return rows.map((r) => ({ channel: r.channel, status: r.status, n: Number(r.n) }));
  }
}
