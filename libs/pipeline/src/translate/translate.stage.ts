import { guideHandler, type MapRegistry } from '@edi/mapping';
import {
  DuplicateLookups,
  Interchanges,
  Outbox,
  PartnerChannels,
  Transactions,
  transact,
  type Interchange,
  type TradingPartner,
} from '@edi/persistence';
import { readX12, type InterchangeResult, type X12Issue } from '@edi/x12';
import type { DataSource, EntityManager } from 'typeorm';
import { acknowledge } from './acknowledge';
import {
  envelopeFindings,
  fileStatus,
  isa13Key,
  rejectedByTa1,
  repeatedIsa13,
  type Verdict,
} from './envelope-policy';
import { GroupVerdicts } from './group-verdicts';
import { summary, type SavedSet, type TranslateOutcome } from './outcome';
import { SetRows } from './set-rows';
import { PartnerAnswers } from '../reconcile/partner-answers';
import { Reconciler } from '../reconcile/reconciler';

export { translatedLogLine, type TranslateOutcome } from './outcome';

/** Bytes read between two writes of sets: a piece's documents are all the stage holds. */
const PIECE = 256 * 1024;

/**
 * Translate: parse the stored bytes, check envelopes and guides, split into one row per
 * transaction set with its canonical JSON, hold possible duplicates, and put the acks in the
 * partner's outbox. One database transaction; running it twice does nothing the second time.
 */
export class TranslateStage {
  private readonly partners = new Map<string, { partner: TradingPartner; until: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly maps: MapRegistry,
    private readonly clock: () => Date = () => new Date(),
    /** Whether the partner's POs go on to the ERP stage (an ERP configured and an ERP customer id). */
    private readonly toErp: (partner: TradingPartner) => boolean = () => false,
    /** Segments a set may hold (EDI_MAX_SEGMENTS_PER_SET); a longer one is refused, not translated. */
    private readonly maxSegmentsPerSet?: number,
  ) {}

  async run(interchangeId: string): Promise<TranslateOutcome> {
    const interchanges = new Interchanges(this.ds);
    const interchange = await interchanges.byId(interchangeId);
    if (interchange.status !== 'received') return this.outcome(interchange);
    const partner = await this.partnerOf(interchange.partnerId);

    const done = await transact(this.ds, async (m) => {
      // the claim: only one transaction can move the row out of 'received'. A second worker on the
      // same id waits on the row lock, then finds nothing to claim. A crash rolls the claim back.
      if (!(await new Interchanges(m).move(interchangeId, 'received', 'processing'))) return undefined;
      const groups = new GroupVerdicts();
      const answers = new PartnerAnswers(interchange.id, groups);
      // the stored bytes a piece at a time (a large body's chunks one query each), never whole
      const raw = new Interchanges(m).pieces(interchangeId, PIECE);
      const read = { raw, answers, groups };
      const { results, verdicts, rows } = await this.readAndSave(m, partner, interchange, read);
      const acks = await acknowledge(m, partner, interchange, results, this.clock());
      // the partner's TA1/997/999 about what we sent: matched in this transaction, stored with them
      const reconciled = answers.any
        ? await new Reconciler(this.clock).reconcile(m, partner, answers.accepted())
        : undefined;
      interchange.status = fileStatus(verdicts);
      interchange.issues = results.flatMap((r) => r.issues);
      await new Interchanges(m).finish(interchange.id, interchange.status, interchange.issues);
      return { ...summary(interchange, rows, acks), ...(reconciled ? { reconciled } : {}) };
    });
    // another worker got there first: report what it did
    return done ?? this.outcomeOf(interchangeId);
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
    { raw, answers, groups }: { raw: AsyncIterable<Buffer>; answers: PartnerAnswers; groups: GroupVerdicts },
  ): Promise<{ results: InterchangeResult[]; verdicts: Verdict[]; rows: SavedSet[] }> {
    const results: InterchangeResult[] = [];
    const verdicts: Verdict[] = [];
    const sets = new SetRows(m, partner, interchange, this.toErp(partner), groups);
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
      raw,
      guideHandler(this.maps, groups.watch(answers.watch({ onInterchange: (r) => void results.push(r) })), {
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

  /**
   * Partners change rarely and are read for every interchange: kept 5 s (a round trip saved per
   * interchange; a changed ack kind or channel applies within seconds).
   */
  private async partnerOf(id: string): Promise<TradingPartner> {
    const hit = this.partners.get(id);
    if (hit && hit.until > Date.now()) return hit.partner;
    const partner = await new PartnerChannels(this.ds).byId(id);
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
    await transact(this.ds, (m) => new Interchanges(m).move(interchangeId, 'received', 'failed', [issue]));
    return this.outcomeOf(interchangeId);
  }

  /** What became of an interchange: its sets, their status and the acks sent. */
  async outcomeOf(interchangeId: string): Promise<TranslateOutcome> {
    return this.outcome(await new Interchanges(this.ds).byId(interchangeId));
  }

  private async outcome(interchange: Interchange): Promise<TranslateOutcome> {
    const rows = await new Transactions(this.ds).ofInterchange(interchange.id);
    const acks = await new Outbox(this.ds).ofInterchange(interchange.id);
    return summary(interchange, rows, acks);
  }
}

/**
 * One interchange of the file, judged by the envelope policy; its ISA13 must also be new for the
 * partner (else TA1 025). The ISA13 of an accepted one is recorded under a unique index, so two
 * workers can never both accept it; a rejected one's is not, so the corrected file can come again
 * under the same number.
 */
async function checkEnvelope(
  m: EntityManager,
  partner: TradingPartner,
  interchange: Interchange,
  r: InterchangeResult,
): Promise<Verdict | undefined> {
  const h = r.header;
  if (!h) return undefined;
  r.issues.push(...envelopeFindings(partner, h));
  if (rejectedByTa1(r.issues)) return 'rejected';
  // staff resubmitting a corrected version keep the partner's ISA13: it is not a second receipt
  if (interchange.resubmitOf) return 'ok';
  const lookups = new DuplicateLookups(m);
  if (await lookups.acceptIsa13(partner.id, isa13Key(h), interchange.id)) return 'ok';
  r.issues.push(repeatedIsa13(h, await lookups.isa13Holder(partner.id, isa13Key(h))));
  return 'duplicate';
}
