import { guideHandler, type MapRegistry } from '@edi/mapping';
import {
  DuplicateLookups,
  Interchanges,
  Outbox,
  PartnerChannels,
  TranslationClaims,
  UnfinishedWork,
  transact,
  type Interchange,
  type OutboundDocument,
  type TradingPartner,
} from '@edi/persistence';
import { AckLedger, readX12, type InterchangeResult, type X12Issue } from '@edi/x12';
import type { DataSource, EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { prepareAcks, storeAcks } from './acknowledge';
import {
  envelopeFindings,
  fileStatus,
  isa13Key,
  rejectedByTa1,
  repeatedIsa13,
  type Verdict,
} from './envelope-policy';
import { GroupVerdicts } from './group-verdicts';
import { OUTCOME_SETS, summary, type TranslateOutcome } from './outcome';
import type { StageName } from '../flow';
import { SetRows } from './set-rows';
import { PartnerAnswers } from '../reconcile/partner-answers';
import { Reconciler } from '../reconcile/reconciler';

export { OUTCOME_SETS, translatedLogLine, type SetCounts, type TranslateOutcome } from './outcome';

/** Bytes read between two looks at the batch: a piece's documents are what the stage adds at once. */
const PIECE = 64 * 1024;

/** A file this small is read and written in one transaction: a batch of sets is about as big. */
const SMALL_FILE = 128 * 1024;

/** The token of a run in one transaction: its claim is the interchange row's lock, no claim row. */
const ONE_TRANSACTION = '';

/** Ids read per query when a nightly batch's sets are handed on in pages. */
const HAND_ON_PAGE = 1_000;

/** Sets committed per database transaction when none is configured (EDI_TRANSLATE_BATCH_SETS). */
export const DEFAULT_BATCH_SETS = 500;

/**
 * How long a claim holds without word from its worker: a worker that died lets it lapse, and the
 * next run resumes after its last batch. A live worker renews it with every batch and a
 * heartbeat every CLAIM_BEAT_MS, so a slow batch or a long 997 never lets it lapse.
 */
export const CLAIM_MS = 15_000;
const CLAIM_BEAT_MS = 3_000;

/** How long a second run on the same interchange waits for the first to end, and how often it looks. */
const CLAIM_WAIT_MS = 2 * CLAIM_MS;
const CLAIM_POLL_MS = 500;

/** Another run still holds the interchange after the wait: retried later, as any transient failure. */
export class ClaimHeld extends Error {
  override readonly name = 'ClaimHeld';
}

/** The claim was taken by another run meanwhile (this one was too slow): its batch is rolled back. */
export class ClaimLost extends Error {
  override readonly name = 'ClaimLost';
}

/** What one run keeps while it reads the file. */
interface Reading {
  token: string;
  partner: TradingPartner;
  interchange: Interchange;
  /** The file's interchanges as read, without their sets (keepTransactions: false)… */
  results: InterchangeResult[];
  /** …which the acks read from here, kept small. */
  ledger: AckLedger;
  verdicts: Verdict[];
  answers: PartnerAnswers;
  groups: GroupVerdicts;
  sets: SetRows;
  judged: number;
  /** The ISA13s this run accepted: a second interchange of the file under one of them is a duplicate. */
  isa13s: Set<string>;
}

/**
 * Translate: parse the stored bytes, check envelopes and guides, split into one row per
 * transaction set with its canonical JSON, hold possible duplicates, and put the acks in the
 * partner's outbox. The sets are committed a batch at a time under a claim on the interchange
 * (translation_claims), so a huge file never holds the database's writer for more than a batch,
 * and a run that dies is resumed after its last committed batch. The interchange stays `received`
 * until the last transaction, which stores the acks and the verdict: no set of it is handed on
 * (nor taken by the start-up sweep) before its groups and envelope are all judged. Running it
 * twice does nothing the second time.
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
    /** Sets committed per database transaction (EDI_TRANSLATE_BATCH_SETS). */
    private readonly batchSets: number = DEFAULT_BATCH_SETS,
    /** Sets an outcome lists (tests make it small); the rest are counted and handed on in pages. */
    private readonly outcomeSets: number = OUTCOME_SETS,
  ) {}

  async run(interchangeId: string): Promise<TranslateOutcome> {
    const interchange = await new Interchanges(this.ds).byId(interchangeId);
    if (interchange.status !== 'received') return this.outcome(interchange);
    const partner = await this.partnerOf(interchange.partnerId);
    if (interchange.size <= SMALL_FILE) return this.translateAtOnce(partner, interchange);
    const token = randomUUID();
    const claimed = await this.claimOrWait(interchangeId, token);
    if (claimed === 'finished') return this.outcomeOf(interchangeId);
    // a live run has it (a file of minutes): tried again later, and the sweep if the tries run out
    if (claimed === 'held')
      throw new ClaimHeld(`interchange ${interchangeId} is being translated by another run`);
    const beat = setInterval(() => void this.heartbeat(interchangeId, token), CLAIM_BEAT_MS);
    beat.unref();
    try {
      return await this.translate(partner, interchange, token, claimed);
    } catch (e) {
      // a retry of this run need not wait for the claim to lapse
      await new TranslationClaims(this.ds).release(interchangeId, token).catch(() => undefined);
      throw e;
    } finally {
      clearInterval(beat);
    }
  }

  /** The claim held on while this run is alive; a failure here is the next batch's to find (ClaimLost). */
  private async heartbeat(interchangeId: string, token: string): Promise<void> {
    const until = this.clock().getTime() + CLAIM_MS;
    await transact(this.ds, (m) => new TranslationClaims(m).extend(interchangeId, token, until)).catch(
      () => undefined,
    );
  }

  /**
   * The claim, or the end of the run that holds it: a second worker on the same id waits for the
   * first to finish (and reports what it did) or to let its claim lapse (it died: this run
   * resumes its work), as long as CLAIM_WAIT_MS.
   */
  private async claimOrWait(interchangeId: string, token: string): Promise<number | 'finished' | 'held'> {
    const began = Date.now();
    for (;;) {
      const claimed = await this.claim(interchangeId, token);
      if (claimed !== 'held' || Date.now() - began > CLAIM_WAIT_MS) return claimed;
      await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
    }
  }

  /**
   * Takes the claim when the interchange is still to translate and nobody else holds it: how many
   * of its sets earlier runs committed. Checked after the claim row is written, so a run that
   * finished meanwhile (its claim deleted in its last commit) is seen as finished.
   */
  private claim(interchangeId: string, token: string): Promise<number | 'finished' | 'held'> {
    return transact(this.ds, async (m) => {
      const now = this.clock().getTime();
      const claims = new TranslationClaims(m);
      const done = await claims.take(interchangeId, token, now + CLAIM_MS, now);
      const finished = (await new Interchanges(m).byId(interchangeId)).status !== 'received';
      if (done === undefined) return finished ? 'finished' : 'held';
      if (!finished) return done;
      await claims.end(interchangeId);
      return 'finished';
    });
  }

  private async translate(
    partner: TradingPartner,
    interchange: Interchange,
    token: string,
    resumeFrom: number,
  ): Promise<TranslateOutcome> {
    const r = this.reading(partner, interchange, token, resumeFrom);
    await this.read(r, this.ds, () =>
      r.sets.size >= this.batchSets ? transact(this.ds, (m) => this.batch(m, r)) : undefined,
    );
    // the last sets, and the rows of groups rejected at their GE, a batch a transaction
    do await transact(this.ds, (m) => this.batch(m, r));
    while (r.sets.unsettled);
    const acks = await prepareAcks(this.ds, partner, interchange, r.results, r.ledger, this.clock());
    return transact(this.ds, (m) => this.end(m, r, acks));
  }

  /**
   * A file of one batch or less (most of them: one PO, a few hundred sets) in one transaction,
   * claim and all, as before batches: one commit, not four, per interchange on the hot path.
   */
  private translateAtOnce(partner: TradingPartner, interchange: Interchange): Promise<TranslateOutcome> {
    return transact(this.ds, async (m) => {
      // the claim as before batches: only one transaction can move the row out of 'received'; a
      // second run waits on the row lock, then finds nothing to claim; a crash rolls it all back
      if (!(await new Interchanges(m).move(interchange.id, 'received', 'processing')))
        return this.outcome(await new Interchanges(m).byId(interchange.id));
      const r = this.reading(partner, interchange, ONE_TRANSACTION, 0);
      await this.read(r, m, () => undefined);
      while (r.sets.unsettled || r.sets.size || r.judged < r.results.length) await this.batch(m, r);
      const acks = await prepareAcks(this.ds, partner, interchange, r.results, r.ledger, this.clock(), m);
      return this.end(m, r, acks);
    });
  }

  private reading(
    partner: TradingPartner,
    interchange: Interchange,
    token: string,
    resumeFrom: number,
  ): Reading {
    const groups = new GroupVerdicts();
    return {
      token,
      partner,
      interchange,
      results: [],
      ledger: new AckLedger(),
      verdicts: [],
      answers: new PartnerAnswers(interchange.id, groups),
      groups,
      sets: new SetRows(partner, interchange, this.toErp(partner), groups, resumeFrom),
      judged: 0,
      isa13s: new Set(),
    };
  }

  /** Reads the stored bytes a piece at a time (a large body's chunks one query each), never whole. */
  private async read(r: Reading, db: DataSource | EntityManager, onChunk: () => Promise<void> | undefined) {
    const { groups, answers, sets, ledger } = r;
    await readX12(
      new Interchanges(db).pieces(r.interchange.id, PIECE),
      // the ledger inside the guide handler: it sees each set with the guide's findings
      guideHandler(
        this.maps,
        ledger.watch(groups.watch(answers.watch({ onInterchange: (x) => void r.results.push(x) }))),
        {
          partner: r.partner.mapProfile ?? undefined,
          onDocument: (t) => {
            sets.add(t);
            answers.document(t);
          },
        },
      ),
      { maxSegmentsPerSet: this.maxSegmentsPerSet, keepTransactions: false, onChunk },
    );
  }

  /** The last transaction: the last batch, the acks, the partner's answers matched, the verdict, the claim's end. */
  private async end(m: EntityManager, r: Reading, acks: OutboundDocument[]): Promise<TranslateOutcome> {
    const { interchange, partner, answers } = r;
    await this.batch(m, r);
    await storeAcks(m, acks);
    // the partner's TA1/997/999 about what we sent: matched in this transaction, stored with them
    const reconciled = answers.any
      ? await new Reconciler(this.clock).reconcile(m, partner, answers.accepted())
      : undefined;
    interchange.status = fileStatus(r.verdicts);
    interchange.issues = r.results.flatMap((x) => x.issues);
    await new Interchanges(m).finish(interchange.id, interchange.status, interchange.issues);
    if (r.token !== ONE_TRANSACTION) await new TranslationClaims(m).end(interchange.id);
    // the sets' rows read back, not kept while the file was read; a nightly batch's first ones only
    const rows = await new UnfinishedWork(m).firstSets(interchange.id, this.outcomeSets);
    return { ...summary(interchange, rows, acks), ...(reconciled ? { reconciled } : {}) };
  }

  /**
   * One batch, in its transaction: the claim renewed first (a run whose claim was taken over
   * writes nothing), each interchange whose IEA was read judged (a duplicate or rejected one
   * keeps none of its sets), then the sets read since the last batch written.
   */
  private async batch(m: EntityManager, r: Reading): Promise<void> {
    const now = this.clock().getTime();
    const id = r.interchange.id;
    const whole = r.token === ONE_TRANSACTION; // its claim is the row lock, held to its commit
    if (!whole && !(await new TranslationClaims(m).renew(id, r.token, now + CLAIM_MS, r.sets.done)))
      throw new ClaimLost(`interchange ${id}: the claim was taken over by another run`);
    for (; r.judged < r.results.length; r.judged++) {
      const verdict = await checkEnvelope(m, r, r.results[r.judged]!);
      if (!verdict) continue; // unreadable: no sets, and the TA1 cannot even be addressed
      if (verdict !== 'ok') await r.sets.refuse(m, r.verdicts.length);
      else r.answers.accept(r.judged);
      r.verdicts.push(verdict);
    }
    await r.sets.flush(m, this.batchSets);
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
    // not while another run holds it: that run is working on it, and ends it itself
    const now = this.clock().getTime();
    if (!(await new TranslationClaims(this.ds).held(interchangeId, now)))
      await transact(this.ds, (m) => new Interchanges(m).move(interchangeId, 'received', 'failed', [issue]));
    return this.outcomeOf(interchangeId);
  }

  /**
   * The ids a nightly batch's outcome lists only in part (its first OUTCOME_SETS sets', handed on
   * with it): the interchange's sets after those still waiting for the stage, in file order, a
   * page at a time.
   */
  async *handOn(outcome: TranslateOutcome, to: StageName): AsyncIterable<readonly string[]> {
    const status = to === 'erp' ? 'erp_pending' : to === 'receive' ? 'receiving' : undefined;
    if (!status) return;
    const left = new UnfinishedWork(this.ds);
    const listed = outcome.transactions[outcome.transactions.length - 1];
    for (let after = listed ? await left.setIndexOf(listed.id) : -1; ;) {
      const page = await left.interchangePage(outcome.interchangeId, status, after, HAND_ON_PAGE);
      if (page.length) yield page.map((p) => p.id);
      if (page.length < HAND_ON_PAGE) return;
      after = page[page.length - 1]!.setIndex;
    }
  }

  /** What became of an interchange: its sets, their status and the acks sent. */
  async outcomeOf(interchangeId: string): Promise<TranslateOutcome> {
    return this.outcome(await new Interchanges(this.ds).byId(interchangeId));
  }

  private async outcome(interchange: Interchange): Promise<TranslateOutcome> {
    // the columns the outcome shows, not every set's document (?wait=true on a nightly batch)
    const rows = await new UnfinishedWork(this.ds).firstSets(interchange.id, this.outcomeSets);
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
  { partner, interchange, isa13s }: Pick<Reading, 'partner' | 'interchange' | 'isa13s'>,
  r: InterchangeResult,
): Promise<Verdict | undefined> {
  const h = r.header;
  if (!h) return undefined;
  r.issues.push(...envelopeFindings(partner, h));
  if (rejectedByTa1(r.issues)) return 'rejected';
  // staff resubmitting a corrected version keep the partner's ISA13: it is not a second receipt
  if (interchange.resubmitOf) return 'ok';
  const key = isa13Key(h);
  const lookups = new DuplicateLookups(m);
  let ok = await lookups.acceptIsa13(partner.id, key, interchange.id);
  const holder = ok ? interchange.id : await lookups.isa13Holder(partner.id, key);
  // recorded by an earlier run of this very file that died before it ended (this run resumes it),
  // unless this run accepted it already for an earlier interchange of the file
  if (!ok && holder === interchange.id && !isa13s.has(key)) ok = true;
  if (ok) {
    isa13s.add(key);
    return 'ok';
  }
  r.issues.push(repeatedIsa13(h, holder));
  return 'duplicate';
}
