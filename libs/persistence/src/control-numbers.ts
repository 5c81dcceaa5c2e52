import type { DataSource, EntityManager } from 'typeorm';
import { placeholders } from './data-source';

export type ControlKind = 'ISA' | 'GS' | 'ST';
const LIMIT: Record<ControlKind, number> = { ISA: 999_999_999, GS: 999_999_999, ST: 999_999_999 };

/**
 * Per-partner counters for ISA13, GS06 and ST02. One atomic upsert … RETURNING per allocation: the
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
    // one statement: the first allocation creates the row, later ones bump it; the row lock
    // serialises concurrent callers
    const [a, b, c] = placeholders(this.ds, 3);
    type Row = { value: number | string };
    const rows = await manager.query<Row[] | [Row[], number]>(
      `INSERT INTO control_numbers (partner_id, kind, value) VALUES (${a}, ${b}, ${c}) ON CONFLICT (partner_id, kind) DO UPDATE SET value = control_numbers.value + excluded.value RETURNING value`,
      [partnerId, kind, count],
    );
    // the Postgres driver answers an UPDATE with [rows, affected]
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Row[];
    const last = Number(list[0]!.value);
    return ((last - count) % LIMIT[kind]) + 1;
  }

  /**
   * Several kinds at once, in one statement (one round trip): `{ ISA: 1, GS: 1, ST: 1 }` →
   * the first number of each. Kinds asked for 0 are left alone.
   */
  async nextMany(
    partnerId: string,
    counts: Partial<Record<ControlKind, number>>,
    manager: EntityManager = this.ds.manager,
  ): Promise<Record<ControlKind, number>> {
    const kinds = (Object.keys(counts) as ControlKind[]).filter((k) => (counts[k] ?? 0) > 0);
    const out = { ISA: 1, GS: 1, ST: 1 } as Record<ControlKind, number>;
    if (!kinds.length) return out;
    const marks = placeholders(this.ds, kinds.length * 3);
    const values = kinds
      .map((_, i) => `(${marks[i * 3]!}, ${marks[i * 3 + 1]!}, ${marks[i * 3 + 2]!})`)
      .join(', ');
    type Row = { kind: ControlKind; value: number | string };
    const rows = await manager.query<Row[] | [Row[], number]>(
      `INSERT INTO control_numbers (partner_id, kind, value) VALUES ${values} ON CONFLICT (partner_id, kind) DO UPDATE SET value = control_numbers.value + excluded.value RETURNING kind, value`,
      kinds.flatMap((k) => [partnerId, k, counts[k]!]),
    );
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as Row[];
    for (const r of list) out[r.kind] = ((Number(r.value) - counts[r.kind]!) % LIMIT[r.kind]) + 1;
    return out;
  }
}
