import { guideHandler, type MapRegistry } from '@edi/mapping';
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
import { buildAcks, readX12, serialize, type InterchangeResult, type X12Issue } from '@edi/x12';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { SetRows, type SavedSet } from './set-rows';
import { PartnerAnswers } from '../reconcile/partner-answers';
import { Reconciler } from '../reconcile/reconciler';

/** TypeORM's insert/update input type; JSON columns (unknown[]) do not fit its deep-partial type. */
type Entity<T> = QueryDeepPartialEntity<T>;

/** Bytes read between two writes of sets: a piece's documents are all the stage holds. */
const PIECE = 256 * 1024;

type Verdict = 'ok' | 'duplicate' | 'rejected';

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

    const done = await transact(this.ds, async (m) => {
      // The claim: only one transaction can move the row out of 'received'. A second worker on the
      // same id waits on the row lock, then finds nothing to claim. A crash rolls the claim back.
      const claimed = await m
        .getRepository(Interchange)
        .update({ id: interchangeId, status: 'received' }, { status: 'processing' });
      if (!claimed.affected) return undefined;
      const locked = interchange;
      const answers = new PartnerAnswers(interchange.id);
      const { results, verdicts, rows } = await this.readAndSave(m, partner, interchange, raw, answers);
      const acks = await this.acknowledge(m, partner, interchange, results);
      // the partner's TA1/997/999 about what we sent: matched in this transaction, stored with them
      const reconciled = answers.any
        ? await new Reconciler(this.clock).reconcile(m, partner, answers.accepted())
        : undefined;
      locked.status = verdicts.includes('ok')
        ? 'processed'
        : verdicts.length && verdicts.every((v) => v === 'duplicate')
          ? 'duplicate'
          : 'rejected';
      locked.issues = results.flatMap((r) => r.issues);
      // insert/update, not save(): save() reads each row back first, a round trip per row for nothing
      await m.getRepository(Interchange).update({ id: locked.id }, {
        status: locked.status,
        issues: locked.issues,
      } as Partial<Entity<Interchange>>);
      return {
        ...summary(locked, rows, acks),
        ...(reconciled ? { reconciled } : {}),
      };
    });
    // another worker got there first: report what it did
    return (
      done ?? this.outcome(await this.ds.getRepository(Interchange).findOneByOrFail({ id: interchangeId }))
    );
  }

  /**
   * Reads the file a piece at a time, writing each piece's sets as it goes (one row per set:
   * translated, rejected or held as a possible duplicate), so only a piece's documents are in
   * memory. Each interchange of the file is judged on its own once its IEA is read: a duplicate or
   * rejected one keeps none of its sets.
   */
  private async readAndSave(
    m: EntityManager,
    partner: TradingPartner,
    interchange: Interchange,
    raw: Buffer,
    answers: PartnerAnswers,
  ): Promise<{
    results: InterchangeResult[];
    verdicts: Verdict[];
    rows: SavedSet[];
  }> {
    const results: InterchangeResult[] = [];
    const verdicts: Verdict[] = [];
    const sets = new SetRows(m, partner, interchange, this.toErp(partner));
    let judged = 0;
    const judgeAndFlush = async () => {
      for (; judged < results.length; judged++) {
        const verdict = await checkEnvelope(m, partner, interchange, results[judged]!);
        if (!verdict) continue; // unreadable: no sets, and the TA1 cannot even be addressed
        if (verdict !== 'ok') await sets.refuse(verdicts.length);
        else answers.accept(judged);
        verdicts.push(verdict);
      }
      await sets.flush();
    };
    await readX12(
      pieces(raw),
      guideHandler(this.maps, answers.watch({ onInterchange: (r) => void results.push(r) }), {
        partner: partner.mapProfile ?? undefined,
        onDocument: (t) => {
          sets.add(t);
          answers.document(t);
        },
      }),
      { maxSegmentsPerSet: this.maxSegmentsPerSet, onChunk: judgeAndFlush },
    );
    await judgeAndFlush();
    return { results, verdicts, rows: sets.rows };
  }

  /** The TA1/997/999 each interchange deserves, numbered from the partner's counters, into the outbox. */
  private async acknowledge(
    m: EntityManager,
    partner: TradingPartner,
    interchange: Interchange,
    results: InterchangeResult[],
  ): Promise<OutboundDocument[]> {
    const needed = buildAcks(results, {
      functionalAck: partner.ackKind,
      ta1: partner.ta1,
    });
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
 * One interchange of the file: it must come from the partner whose key sent it, to us
 * (else TA1 006/008), and its ISA13 must be new for the partner (else TA1 025). The ISA13 of an
 * accepted one is recorded under a unique index, so two workers can never both accept it; a
 * rejected one's is not, so the corrected file can come again under the same number.
 */
async function checkEnvelope(
  m: EntityManager,
  partner: TradingPartner,
  interchange: Interchange,
  r: InterchangeResult,
): Promise<Verdict | undefined> {
  {
    const h = r.header;
    if (!h) return undefined;
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
    if (r.issues.some((i) => i.severity === 'error' && i.ta1)) return 'rejected';
    // staff resubmitting a corrected version keep the partner's ISA13: it is not a second receipt
    if (interchange.resubmitOf) return 'ok';
    const [a, b, c] = placeholders(m.connection, 3);
    const inserted = await m.query<Array<{ interchange_id: string }>>(
      `INSERT INTO interchange_control_numbers (partner_id, control_number, interchange_id) VALUES (${a}, ${b}, ${c}) ON CONFLICT (partner_id, control_number) DO NOTHING RETURNING interchange_id`,
      [partner.id, h.control.slice(0, 9), interchange.id],
    );
    if (inserted.length) return 'ok';
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
    return 'duplicate';
  }
}

/** The stored bytes in pieces, so sets are written (and forgotten) while the file is read. */
function* pieces(raw: Buffer): Generator<Buffer> {
  for (let k = 0; k < raw.length; k += PIECE) yield raw.subarray(k, k + PIECE);
}

function summary(interchange: Interchange, rows: SavedSet[], acks: OutboundDocument[]): TranslateOutcome {
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
