import { Interchange, TransactionSet, type TradingPartner } from '@edi/persistence';
import type { EntityManager } from 'typeorm';

/** Rows probed per query: a few hundred keeps each IN list well inside SQLite's and Postgres's limits. */
const PROBE_BATCH = 400;

/**
 * The possible-duplicate rules over all sets of one file: a PO number twice in the file, the same
 * bytes received before, the same PO number or GS06/ST02 received before. Earlier receipts are
 * looked up a few hundred sets per query and earlier sets of the file in a map, so a file of
 * 70,000 sets costs a few hundred round trips, not 70,000.
 */
export async function markDuplicates(
  m: EntityManager,
  partner: TradingPartner,
  interchange: Interchange,
  rows: TransactionSet[],
): Promise<void> {
  const open = markTwins(
    rows.filter((r) => r.status === 'translated'),
    rows,
  );
  // a staff resubmission is new bytes for the same set by intent, so the same-bytes rule
  // does not apply; one that staff released (held, and judged no duplicate) skips them all
  if (!open.length || interchange.released) return;
  const sameAs = interchange.resubmitOf ? null : await sameContent(m, partner, interchange);
  if (sameAs) {
    for (const row of open) row.duplicateOf = sameAs;
    return;
  }
  for (let k = 0; k < open.length; k += PROBE_BATCH)
    await earlierReceipts(m, partner, interchange, open.slice(k, k + PROBE_BATCH));
}

/** Earlier sets of this same file count too: the same PO twice in one interchange. Returns the rest. */
function markTwins(candidates: TransactionSet[], all: TransactionSet[]): TransactionSet[] {
  const first = new Map<string, TransactionSet>();
  const candidate = new Set(candidates);
  const rest: TransactionSet[] = [];
  for (const row of all) {
    const key = row.poNumber ? `${row.setId}\u0000${row.poNumber}` : undefined;
    const twin = key ? first.get(key) : undefined;
    if (key && !twin) first.set(key, row);
    if (!candidate.has(row)) continue;
    if (twin)
      row.duplicateOf = `PO number ${row.poNumber} appears twice in this interchange (transaction ${twin.id})`;
    else rest.push(row);
  }
  return rest;
}

/** An earlier interchange from the partner with the very same bytes, if any. */
async function sameContent(
  m: EntityManager,
  partner: TradingPartner,
  interchange: Interchange,
): Promise<string | null> {
  const earlier = await m
    .getRepository(Interchange)
    .createQueryBuilder('x')
    .select('x.id')
    .where('x.partnerId = :p AND x.id <> :i AND x.sha256 = :h', {
      p: partner.id,
      i: interchange.id,
      h: interchange.sha256,
    })
    .getOne();
  return earlier ? `same content as interchange ${earlier.id} (sha256)` : null;
}

/** The same PO number, or the same GS06/ST02, for the same set from an earlier interchange: which rule matched. */
async function earlierReceipts(
  m: EntityManager,
  partner: TradingPartner,
  interchange: Interchange,
  rows: TransactionSet[],
): Promise<void> {
  const pos = [...new Set(rows.flatMap((r) => (r.poNumber ? [r.poNumber] : [])))];
  const controls = [...new Set(rows.map((r) => r.controlNumber))];
  const q = m
    .getRepository(TransactionSet)
    .createQueryBuilder('t')
    .select(['t.id', 't.setId', 't.poNumber', 't.controlNumber', 't.groupControl'])
    .where('t.partnerId = :p AND t.interchangeId <> :i', { p: partner.id, i: interchange.id })
    .andWhere('t.setId IN (:...sets)', { sets: [...new Set(rows.map((r) => r.setId))] })
    // a rejected set was never processed, and a superseded one was replaced by staff: receiving
    // the same PO again (corrected) is not a second receipt of either
    .andWhere("t.status NOT IN ('rejected', 'superseded')")
    .andWhere(
      pos.length
        ? '(t.poNumber IN (:...pos) OR t.controlNumber IN (:...controls))'
        : 't.controlNumber IN (:...controls)',
      {
        pos,
        controls,
      },
    );
  const earlier = await q.getMany();
  const byPo = new Map<string, TransactionSet>();
  const byControl = new Map<string, TransactionSet>();
  for (const t of earlier) {
    if (t.poNumber) byPo.set(`${t.setId}\u0000${t.poNumber}`, t);
    byControl.set(`${t.setId}\u0000${t.groupControl}\u0000${t.controlNumber}`, t);
  }
  for (const row of rows) {
    const po = row.poNumber ? byPo.get(`${row.setId}\u0000${row.poNumber}`) : undefined;
    const st = byControl.get(`${row.setId}\u0000${row.groupControl}\u0000${row.controlNumber}`);
    if (po) row.duplicateOf = `PO number ${row.poNumber} already received (transaction ${po.id})`;
    else if (st)
      row.duplicateOf = `GS06 ${row.groupControl} / ST02 ${row.controlNumber} already received for a ${row.setId} (transaction ${st.id})`;
  }
}
