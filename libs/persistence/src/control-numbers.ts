import type { DataSource, EntityManager } from 'typeorm';
import { placeholders } from './data-source';

export type ControlKind = 'ISA' | 'GS' | 'ST';
const LIMIT: Record<ControlKind, number> = { ISA: 999_999_999, GS: 999_999_999, ST: 999_999_999 };

/**
 * Per-partner counters for ISA13, GS06 and ST02. One atomic UPDATE … RETURNING per allocation: the
 * database serialises concurrent callers, so no two workers ever get the same number.
 */
export class ControlNumbers {
  constructor(private readonly ds: DataSource) {}

  /** Reserves `count` numbers and returns the first. Numbers wrap after 999,999,999. */
  async next(
    partnerId: string,
    kind: ControlKind,
    count = 1,
    manager: EntityManager = this.ds.manager,
  ): Promise<number> {
    const [p1, p2] = placeholders(this.ds, 2);
    await manager.query(
      `INSERT INTO control_numbers (partner_id, kind, value) VALUES (${p1}, ${p2}, 0) ON CONFLICT DO NOTHING`,
      [partnerId, kind],
    );
    const [c, a, b] = placeholders(this.ds, 3);
    type Row = { value: number | string };
    const rows = await manager.query<Row[] | [Row[], number]>(
      `UPDATE control_numbers SET value = value + ${c} WHERE partner_id = ${a} AND kind = ${b} RETURNING value`,
      [count, partnerId, kind],
    );
    // the Postgres driver answers an UPDATE with [rows, affected]
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Row[];
    const last = Number(list[0]!.value);
    return ((last - count) % LIMIT[kind]) + 1;
  }
}
