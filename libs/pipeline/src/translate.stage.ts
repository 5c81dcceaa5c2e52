import { guideHandler, type MapRegistry, type Translation } from '@edi/mapping';
import {
  OutboundDocument,
  ControlNumbers,
  Interchange,
  Payloads,
  TradingPartner,
  TransactionSet,
  placeholders,
  transact,
  type TransactionStatus,
} from '@edi/persistence';
import { buildAcks, readX12Sync, serialize, type InterchangeResult, type X12Issue } from '@edi/x12';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { markDuplicates } from './translate-duplicates';

/** TypeORM's insert/update input type; JSON columns (unknown[]) do not fit its deep-partial type. */
type Entity<T> = QueryDeepPartialEntity<T>;

/** Rows an INSERT: sixteen columns each stays far below SQLite's limit of bound variables. */
const INSERT_BATCH = 200;

export interface TranslateOutcome {
  interchangeId: string;
  status: Interchange['status'];
  transactions: Array<{
    id: string;
    setId: string;
    controlNumber: string;
    status: TransactionStatus;
    duplicateOf: string | null;
  }>;
  /** The TA1/997/999 sent back, as X12. */
  acknowledgments: string;
  /** Outbound documents to push (webhook, SFTP), for the deliver stage; outbox ones wait to be fetched. */
  push: string[];
  /** Transactions for the ERP stage (850s of a partner with an ERP). */
  erp: string[];
  issues: X12Issue[];
}

/**
 * Translate: parse the stored bytes, check envelopes and guides, split into one row per
 * transaction set with its canonical JSON, hold possible duplicates, and put the acks in the
 * partner's outbox. One database transaction; running it twice does nothing the second time.
 */
export class TranslateStage {
  private readonly payloads: Payloads;
  private readonly counters: ControlNumbers;

  constructor(
    private readonly ds: DataSource,
    private readonly maps: MapRegistry,
    private readonly clock: () => Date = () => new Date(),
    /** Whether the partner's POs go on to the ERP stage (an ERP configured and an ERP customer id). */
    private readonly toErp: (partner: TradingPartner) => boolean = () => false,
    /** Segments a set may hold (EDI_MAX_SEGMENTS_PER_SET); a longer one is refused, not translated. */
    private readonly maxSegmentsPerSet?: number,
  ) {
    this.payloads = new Payloads(ds);
    this.counters = new ControlNumbers(ds);
  }

  async run(interchangeId: string): Promise<TranslateOutcome> {
    const interchange = await this.ds.getRepository(Interchange).findOneByOrFail({ id: interchangeId });
    if (interchange.status !== 'received') return this.outcome(interchange);
    const partner = await this.partnerOf(interchange.partnerId);
    const raw = await this.payloads.load(interchangeId);
    if (!raw) throw new Error(`interchange ${interchangeId} has no stored payload`);

    const results: InterchangeResult[] = [];
    const translations: Translation[] = [];
    readX12Sync(
      raw,
      guideHandler(
        this.maps,
        { onInterchange: (r) => void results.push(r) },
        { partner: partner.mapProfile ?? undefined, onDocument: (t) => void translations.push(t) },
      ),
      { maxSegmentsPerSet: this.maxSegmentsPerSet },
    );

    const done = await transact(this.ds, async (m) => {
      // The claim: only one transaction can move the row out of 'received'. A second worker on the
      // same id waits on the row lock, then finds nothing to claim. A crash rolls the claim back.
      const claimed = await m
        .getRepository(Interchange)
        .update({ id: interchangeId, status: 'received' }, { status: 'processing' });
      if (!claimed.affected) return undefined;
      const locked = interchange;
      // each interchange of the file on its own: a duplicate or rejected one keeps none of its sets
      const verdicts = await checkEnvelopes(m, partner, interchange, results);
      const accepted = new Set(verdicts.flatMap((v, k) => (v === 'ok' ? [k] : [])));
      const rows = await this.saveTransactions(
        m,
        partner,
        interchange,
        translations.filter((t) => accepted.has(t.interchangeIndex)),
      );
      const acks = await this.acknowledge(m, partner, interchange, results);
      locked.status = accepted.size
        ? 'processed'
        : verdicts.length && verdicts.every((v) => v === 'duplicate')
          ? 'duplicate'
          : 'rejected';
      locked.issues = results.flatMap((r) => r.issues);
      // insert/update, not save(): save() reads each row back first, a round trip per row for nothing
      await m
        .getRepository(Interchange)
        .update({ id: locked.id }, { status: locked.status, issues: locked.issues } as Partial<
          Entity<Interchange>
        >);
      return summary(locked, rows, acks);
    });
    // another worker got there first: report what it did
    return (
      done ?? this.outcome(await this.ds.getRepository(Interchange).findOneByOrFail({ id: interchangeId }))
    );
  }

  /** One row per set: translated, rejected (guide or envelope errors) or held as a possible duplicate. */
  private async saveTransactions(
    m: EntityManager,
    partner: TradingPartner,
    interchange: Interchange,
    translations: Translation[],
  ): Promise<TransactionSet[]> {
    const repo = m.getRepository(TransactionSet);
    const rows = translations.map((t) => newRow(repo.create(), partner, interchange, t));
    await markDuplicates(m, partner, interchange, rows);
    for (const row of rows) {
      if (row.status !== 'translated') continue;
      if (row.duplicateOf) row.status = 'held';
      else if (row.setId === '850' && this.toErp(partner)) row.status = 'erp_pending';
    }
    // many rows a statement: a file of 70,000 sets is a few hundred inserts, not 70,000
    for (let k = 0; k < rows.length; k += INSERT_BATCH)
      await repo.insert(rows.slice(k, k + INSERT_BATCH) as Entity<TransactionSet>[]);
    return rows;
  }

  /** The TA1/997/999 each interchange deserves, numbered from the partner's counters, into the outbox. */
  private async acknowledge(
    m: EntityManager,
    partner: TradingPartner,
    interchange: Interchange,
    results: InterchangeResult[],
  ): Promise<OutboundDocument[]> {
    const needed = buildAcks(results, { functionalAck: partner.ackKind, ta1: partner.ta1 });
    if (!needed.interchanges.length) return [];
    const groups = needed.interchanges.reduce((n, ic) => n + ic.groups.length, 0);
    const { ISA: isa, GS: gs } = await this.counters.nextMany(
      partner.id,
      { ISA: needed.interchanges.length, GS: groups },
      m,
    );
    const doc = buildAcks(results, {
      functionalAck: partner.ackKind,
      ta1: partner.ta1,
      interchangeControl: isa,
      groupControl: gs,
      now: this.clock(),
    });
    const saved: OutboundDocument[] = [];
    for (const ic of doc.interchanges) {
      const kinds = [
        ...(ic.groups[0]?.before ?? ic.tail ?? []).map(() => 'TA1'),
        ...ic.groups.map((g) => (g.transactions[0]?.header.elements[0] as string | undefined) ?? ''),
      ];
      const row = m.getRepository(OutboundDocument).create({
        interchangeId: interchange.id,
        partnerId: partner.id,
        kind: [...new Set(kinds)].join('+'),
        controlNumber: ic.header.elements[12] as string,
        x12: serialize({ interchanges: [ic] }).toString('utf8'),
        channel: partner.deliveryChannel,
        status: 'pending',
      });
      await m.getRepository(OutboundDocument).insert(row);
      saved.push(row);
    }
    return saved;
  }

  private readonly partners = new Map<string, { partner: TradingPartner; until: number }>();

  /**
   * Partners change rarely and are read for every interchange: kept 5 s (a round trip saved per
   * interchange; a changed ack kind or channel applies within seconds).
   */
  private async partnerOf(id: string): Promise<TradingPartner> {
    const hit = this.partners.get(id);
    if (hit && hit.until > Date.now()) return hit.partner;
    const partner = await this.ds.getRepository(TradingPartner).findOneByOrFail({ id });
    if (this.partners.size > 10_000) this.partners.clear();
    this.partners.set(id, { partner, until: Date.now() + 5_000 });
    return partner;
  }

  /**
   * Gives up on an interchange that fails every time (a bug, a payload we cannot store): it is
   * marked 'failed' with the reason, for a person to look at, instead of blocking the queue.
   */
  async markFailed(interchangeId: string, error: unknown): Promise<TranslateOutcome> {
    const issue: X12Issue = {
      code: 'PROCESSING_FAILED',
      severity: 'error',
      message: `processing failed: ${(error as Error)?.message ?? String(error)}`,
    };
    await transact(this.ds, (m) =>
      m
        .getRepository(Interchange)
        .update({ id: interchangeId, status: 'received' }, { status: 'failed', issues: [issue] }),
    );
    return this.outcomeOf(interchangeId);
  }

  /** What became of an interchange: its sets, their status and the acks sent. */
  async outcomeOf(interchangeId: string): Promise<TranslateOutcome> {
    return this.outcome(await this.ds.getRepository(Interchange).findOneByOrFail({ id: interchangeId }));
  }

  private async outcome(interchange: Interchange): Promise<TranslateOutcome> {
    const rows = await this.ds.getRepository(TransactionSet).findBy({ interchangeId: interchange.id });
    const acks = await this.ds.getRepository(OutboundDocument).findBy({ interchangeId: interchange.id });
    return summary(interchange, rows, acks);
  }
}

/**
 * Per interchange of the file (in order): it must come from the partner whose key sent it, to us
 * (else TA1 006/008), and its ISA13 must be new for the partner (else TA1 025). The ISA13 of an
 * accepted one is recorded under a unique index, so two workers can never both accept it; a
 * rejected one's is not, so the corrected file can come again under the same number.
 */
async function checkEnvelopes(
  m: EntityManager,
  partner: TradingPartner,
  interchange: Interchange,
  results: InterchangeResult[],
): Promise<Array<'ok' | 'duplicate' | 'rejected'>> {
  const verdicts: Array<'ok' | 'duplicate' | 'rejected'> = [];
  for (const r of results) {
    const h = r.header;
    if (!h) continue; // unreadable: no sets to keep, and the TA1 cannot even be addressed
    if (h.senderQualifier !== partner.isaQualifier || h.senderId !== partner.isaId) {
      r.issues.push({
        code: 'SENDER_NOT_PARTNER',
        severity: 'error',
        ta1: '006',
        segmentId: 'ISA',
        element: 6,
        value: `${h.senderQualifier}/${h.senderId}`,
        message: `ISA05/ISA06 ${h.senderQualifier}/${h.senderId} is not this API key's partner (${partner.isaQualifier}/${partner.isaId})`,
      });
    }
    if (h.receiverQualifier !== partner.ourIsaQualifier || h.receiverId !== partner.ourIsaId) {
      r.issues.push({
        code: 'RECEIVER_NOT_US',
        severity: 'error',
        ta1: '008',
        segmentId: 'ISA',
        element: 8,
        value: `${h.receiverQualifier}/${h.receiverId}`,
        message: `ISA07/ISA08 ${h.receiverQualifier}/${h.receiverId} is not us (${partner.ourIsaQualifier}/${partner.ourIsaId})`,
      });
    }
    if (r.issues.some((i) => i.severity === 'error' && i.ta1)) {
      verdicts.push('rejected');
      continue;
    }
    // staff resubmitting a corrected version keep the partner's ISA13: it is not a second receipt
    if (interchange.resubmitOf) {
      verdicts.push('ok');
      continue;
    }
    const [a, b, c] = placeholders(m.connection, 3);
    const inserted = await m.query<Array<{ interchange_id: string }>>(
      `INSERT INTO interchange_control_numbers (partner_id, control_number, interchange_id) VALUES (${a}, ${b}, ${c}) ON CONFLICT (partner_id, control_number) DO NOTHING RETURNING interchange_id`,
      [partner.id, h.control.slice(0, 9), interchange.id],
    );
    if (inserted.length) {
      verdicts.push('ok');
      continue;
    }
    const [x, y] = placeholders(m.connection, 2);
    const [earlier] = await m.query<Array<{ interchange_id: string }>>(
      `SELECT interchange_id FROM interchange_control_numbers WHERE partner_id = ${x} AND control_number = ${y}`,
      [partner.id, h.control.slice(0, 9)],
    );
    r.issues.push({
      code: 'ISA13_DUPLICATE',
      severity: 'error',
      ta1: '025',
      segmentId: 'ISA',
      element: 13,
      value: h.control,
      message: `interchange control number ${h.control} was already received (interchange ${earlier?.interchange_id ?? '?'})`,
    });
    verdicts.push('duplicate');
  }
  return verdicts;
}

/** A set's row as translated; the duplicate rules may still hold it. */
function newRow(
  row: TransactionSet,
  partner: TradingPartner,
  interchange: Interchange,
  t: Translation,
): TransactionSet {
  const d = t.document;
  const body = d.purchaseOrder as Record<string, unknown> | undefined;
  const poNumber = typeof body?.number === 'string' ? body.number : null;
  return Object.assign(row, {
    interchangeId: interchange.id,
    partnerId: partner.id,
    direction: 'in',
    // clipped to their columns; a malformed envelope's full values stay in the document JSON
    setId: d.transactionSet.slice(0, 3),
    version: d.version.slice(0, 12),
    controlNumber: d.controlNumber.slice(0, 9),
    groupControl: t.groupControl.slice(0, 9),
    poNumber: poNumber?.slice(0, 30) ?? null,
    status: t.status === 'R' ? 'rejected' : 'translated',
    document: d,
    issues: t.issues,
    duplicateOf: null,
    resubmittedFrom: interchange.resubmitOf,
    setIndex: t.setIndex,
  } satisfies Partial<TransactionSet>);
}

function summary(
  interchange: Interchange,
  rows: TransactionSet[],
  acks: OutboundDocument[],
): TranslateOutcome {
  return {
    interchangeId: interchange.id,
    status: interchange.status,
    transactions: rows.map((r) => ({
      id: r.id,
      setId: r.setId,
      controlNumber: r.controlNumber,
      status: r.status,
      duplicateOf: r.duplicateOf,
    })),
    acknowledgments: acks.map((a) => a.x12).join(''),
    push: acks.filter((a) => a.channel !== 'outbox' && a.status === 'pending').map((a) => a.id),
    erp: rows.filter((r) => r.status === 'erp_pending').map((r) => r.id),
    issues: (interchange.issues ?? []) as X12Issue[],
  };
}

/** The log line of a translated interchange, the same from the embedded queue and a worker. */
export function translatedLogLine(o: TranslateOutcome, seconds: number): Record<string, unknown> {
  return {
    msg: 'translated',
    interchangeId: o.interchangeId,
    status: o.status,
    transactions: o.transactions.map((t) => ({
      id: t.id,
      set: t.setId,
      control: t.controlNumber,
      status: t.status,
    })),
    ms: Math.round(seconds * 1000),
  };
}
