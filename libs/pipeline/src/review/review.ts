import { createHash } from 'node:crypto';
import { DomainError } from '@edi/contracts';
import { buildX12, translateX12, type CanonicalDocument, type MapRegistry } from '@edi/mapping';
import {
  Interchange,
  recordAudit,
  Payloads,
  TransactionSet,
  transact,
  type TradingPartner,
  type TransactionStatus,
} from '@edi/persistence';
import {
  parseX12,
  serialize,
  type DelimiterChars,
  type Element,
  type InterchangeNode,
  type TransactionNode,
  type X12Document,
  type X12Issue,
} from '@edi/x12';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isaControlNumbers } from '../ingest/ingest.service';
import type { StageQueue } from '../pipeline';

/** What staff may reprocess, resubmit or resolve: the problem states. */
export const REVIEWABLE: readonly TransactionStatus[] = ['rejected', 'failed', 'held'];

/** Why a review action is refused: the set moved on (conflict), or the new version would still fail. */
export class ReviewError extends DomainError {
  constructor(
    readonly reason: 'conflict' | 'invalid' | 'unavailable',
    message: string,
    /** What is still wrong with a new version, each in plain words. */
    override readonly problems?: Array<{ plain: string; message: string; position?: number; element?: number }>,
  ) {
    super(reason === 'conflict' ? 'conflict' : 'unprocessable', message, { problems });
  }
}

export interface SetSource {
  /** The set alone in its interchange's envelopes (GE/IEA counts of one), a segment per line. */
  x12: string;
  delimiters: DelimiterChars;
  /** The set's own segments, ST (position 1) to SE, each element as written. */
  segments: Array<{ position: number; id: string; elements: string[] }>;
}

/**
 * Staff review of transactions that went wrong: the set's own X12 to look at and edit, a new
 * version made from it (the original kept and marked superseded), or the problem resolved with a
 * note. A new version goes through the pipeline like any file the partner sends, so the partner
 * gets its 997 and, for a PO, its 855.
 */
export class Review {
  private readonly payloads: Payloads;
  private readonly trees = new Map<string, X12Document>();

  constructor(
    private readonly ds: DataSource,
    private readonly maps: MapRegistry,
    private readonly queue: StageQueue,
  ) {
    this.payloads = new Payloads(ds);
  }

  /** The set's X12 as it came, cut out of its file; null when it came in no interchange (one we sent). */
  async source(tx: TransactionSet): Promise<SetSource | null> {
    const found = await this.locate(tx);
    if (!found) return null;
    const { ic, set } = found;
    const d = ic.delimiters;
    const text = (e: Element) => elementText(e, d);
    const body = [set.header, ...set.segments, ...(set.trailer ? [set.trailer] : [])];
    return {
      x12: alone(ic, found.group, set),
      delimiters: d,
      segments: body.map((s, k) => ({ position: k + 1, id: s.id, elements: s.elements.map(text) })),
    };
  }

  /**
   * The bytes of a new version: the staff member's X12 as given, or their JSON made into the set
   * through the maps and put in the original envelopes.
   */
  async edited(
    tx: TransactionSet,
    partner: TradingPartner,
    edit: { x12?: string; document?: Record<string, unknown> },
  ): Promise<Buffer> {
    if (edit.x12 !== undefined) {
      if (!edit.x12.trimStart().startsWith('ISA'))
        throw new ReviewError('invalid', 'the X12 must start with its ISA segment');
      return Buffer.from(edit.x12, 'latin1');
    }
    const found = await this.locate(tx);
    if (!found) throw new ReviewError('unavailable', 'this transaction came in no interchange to resubmit');
    const document = { ...(tx.document ?? {}), ...edit.document } as CanonicalDocument;
    let set: TransactionNode | undefined;
    try {
      set = buildX12([document], this.maps, { partner: partner.mapProfile ?? undefined }).interchanges[0]
        ?.groups[0]?.transactions[0];
    } catch (e) {
      throw new ReviewError('invalid', `the JSON cannot be made into a ${tx.setId}: ${(e as Error).message}`);
    }
    if (!set) throw new ReviewError('invalid', `the JSON made no ${tx.setId}`);
    return Buffer.from(alone(found.ic, found.group, set), 'latin1');
  }

  /**
   * A new version must be worth sending on: one set of the same kind, from this partner to us,
   * with no errors left. What is still wrong comes back now, in plain words, and nothing is
   * stored or superseded; staff fix it and try again.
   */
  check(tx: TransactionSet, partner: TradingPartner, raw: Buffer): void {
    let result;
    try {
      result = translateX12(raw, this.maps, { partner: partner.mapProfile ?? undefined });
    } catch (e) {
      throw new ReviewError('invalid', `the X12 cannot be read: ${(e as Error).message}`);
    }
    const { translations, report } = result;
    if (translations.length !== 1 || translations[0]!.document.transactionSet !== tx.setId)
      throw new ReviewError(
        'invalid',
        `a new version must hold exactly one ${tx.setId} transaction set; this holds ${translations.length}`,
      );
    const h = report.interchanges[0]?.header;
    if (h && (h.senderQualifier !== partner.isaQualifier || h.senderId !== partner.isaId))
      throw new ReviewError(
        'invalid',
        `ISA05/ISA06 ${h.senderQualifier}/${h.senderId} is not ${partner.name} (${partner.isaQualifier}/${partner.isaId}); a new version keeps the partner's envelope`,
      );
    if (h && (h.receiverQualifier !== partner.ourIsaQualifier || h.receiverId !== partner.ourIsaId))
      throw new ReviewError(
        'invalid',
        `ISA07/ISA08 ${h.receiverQualifier}/${h.receiverId} is not us (${partner.ourIsaQualifier}/${partner.ourIsaId}); a new version keeps the partner's envelope`,
      );
    // a new version corrects this PO; another PO is a new file from the partner, not an edit
    const body = translations[0]!.document.purchaseOrder as { number?: string | number } | undefined;
    const number = body?.number === undefined ? 'none' : String(body.number);
    if (tx.poNumber && body && number !== tx.poNumber)
      throw new ReviewError(
        'invalid',
        `a new version keeps the PO number ${tx.poNumber} (this one has ${number})`,
      );
    const errors = [...report.issues, ...translations[0]!.issues].filter((i) => i.severity === 'error');
    const unique = [...new Map(errors.map((i) => [`${i.position}|${i.element}|${i.message}`, i])).values()];
    if (unique.length) {
      // a set keeps its first findings only; the one that stands for the rest says how many
      const listed = unique.filter((i) => i.omittedErrors === undefined);
      const total = listed.length + unique.reduce((n, i) => n + (i.omittedErrors ?? 0), 0);
      const first = listed.slice(0, 10).map(explainIssue).join(' ');
      const more = total > 10 ? ` … and ${total - Math.min(10, listed.length)} more` : '';
      throw new ReviewError(
        'invalid',
        `the new version still has ${total} error${total > 1 ? 's' : ''}: ${first}${more}`,
        unique.slice(0, 100).map((i) => ({
          plain: explainIssue(i),
          message: i.message,
          position: i.position,
          element: i.element,
        })),
      );
    }
  }

  /**
   * Stores the new version as an interchange of its own (source 'console') and supersedes the
   * original, in one database transaction, then queues it. Only one new version can be made from
   * a transaction: a second click finds it superseded already.
   */
  async resubmit(
    tx: TransactionSet,
    raw: Buffer,
    actor: string,
    detail: { action: 'reprocessed' | 'resubmitted'; note?: string },
  ): Promise<string> {
    const interchange = this.ds.getRepository(Interchange).create({
      partnerId: tx.partnerId,
      source: 'console',
      sha256: createHash('sha256').update(raw).digest('hex'),
      size: raw.length,
      idempotencyKey: null,
      controlNumbers: isaControlNumbers(raw),
      status: 'received',
      issues: null,
      resubmitOf: tx.id,
      // a held set sent on by staff is their decision that it is no duplicate
      released: tx.status === 'held',
    });
    await transact(this.ds, async (m) => {
      await claim(m, tx, 'superseded');
      await m.getRepository(Interchange).insert(interchange as QueryDeepPartialEntity<Interchange>);
      await this.payloads.save(interchange.id, raw, m);
      await recordAudit(m, tx.id, `console.${detail.action}`, actor, {
        interchangeId: interchange.id,
        from: tx.status,
        ...(detail.note ? { note: detail.note } : {}),
      });
    });
    this.queue.enqueue(interchange.id);
    return interchange.id;
  }

  /** Closes a problem without a new version (the partner will resend it, it was a test…), with the reason. */
  async resolve(tx: TransactionSet, actor: string, note: string): Promise<void> {
    await transact(this.ds, async (m) => {
      await claim(m, tx, 'resolved');
      await recordAudit(m, tx.id, 'console.resolved', actor, { note, from: tx.status });
    });
  }

  /**
   * The stored file as a tree. Stored bytes never change, so the last few are kept parsed: the
   * console asks for the same transaction every second while it follows one through the pipeline.
   */
  private async parsed(interchangeId: string): Promise<X12Document | null> {
    const hit = this.trees.get(interchangeId);
    if (hit) {
      this.trees.delete(interchangeId); // most recently used goes last
      this.trees.set(interchangeId, hit);
      return hit;
    }
    const raw = await this.payloads.load(interchangeId);
    if (!raw) return null;
    let doc: X12Document;
    try {
      doc = parseX12(raw);
    } catch {
      return null;
    }
    this.trees.set(interchangeId, doc);
    if (this.trees.size > 32) this.trees.delete(this.trees.keys().next().value!);
    return doc;
  }

  /**
   * Finds the set in its stored file by its place there (control numbers may repeat in a file).
   */
  private async locate(tx: TransactionSet) {
    if (!tx.interchangeId) return null;
    const doc = await this.parsed(tx.interchangeId);
    if (!doc) return null;
    // by its place in the file (recorded since the console came); older rows by control numbers,
    // the first match (a file may repeat them, and those rows cannot tell which was theirs)
    let k = 0;
    for (const ic of doc.interchanges)
      for (const group of ic.groups)
        for (const set of group.transactions) {
          const index = k++;
          if (tx.setIndex !== null ? index === tx.setIndex : sameSet(tx, group.header.elements[5], set))
            return { ic, group, set };
        }
    return null;
  }
}

function sameSet(tx: TransactionSet, gs06: Element | undefined, set: TransactionNode): boolean {
  return (
    cut(gs06) === tx.groupControl &&
    cut(set.header.elements[0]) === tx.setId &&
    cut(set.header.elements[1]) === tx.controlNumber
  );
}

/** Moves a transaction out of review, or says another action got there first. */
async function claim(m: EntityManager, tx: TransactionSet, status: 'superseded' | 'resolved'): Promise<void> {
  const claimed = await m
    .getRepository(TransactionSet)
    .update({ id: tx.id, status: In([...REVIEWABLE]) }, { status });
  if (!claimed.affected)
    throw new ReviewError(
      'conflict',
      `transaction ${tx.id} is no longer waiting for review (it changed meanwhile)`,
    );
}

/** The first 9 characters, as the row keeps them. */
function cut(e: Element | undefined): string {
  return (typeof e === 'string' ? e : '').slice(0, 9);
}

function elementText(e: Element, d: DelimiterChars): string {
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) return e.join(d.component);
  return e.repeat.map((r) => (Array.isArray(r) ? r.join(d.component) : r)).join(d.repetition ?? '^');
}

/** One set in its interchange's ISA and GS, with trailers counting one, written a segment per line. */
function alone(ic: InterchangeNode, group: InterchangeNode['groups'][number], set: TransactionNode): string {
  const gs06 = cut(group.header.elements[5]);
  const isa13 = typeof ic.header.elements[12] === 'string' ? ic.header.elements[12] : '';
  // a newline may be the terminator itself (some partners' files): then no extra line break
  const lineEnding = /[\r\n]/.test(ic.delimiters.segment) ? '' : '\n';
  const one: InterchangeNode = {
    delimiters: ic.delimiters,
    lineEnding,
    header: ic.header,
    groups: [
      {
        header: group.header,
        transactions: [{ header: set.header, segments: set.segments, trailer: set.trailer }],
        trailer: { id: 'GE', elements: ['1', gs06] },
      },
    ],
    trailer: { id: 'IEA', elements: ['1', isa13] },
  };
  return serialize({ interchanges: [one] }, { lineEnding }).toString('latin1');
}

/** AK3/IK3 segment codes in plain words. */
const SEGMENT_PROBLEMS: Record<string, string> = {
  '1': 'is not a segment this document can have',
  '2': 'is not expected here',
  '3': 'is required but missing',
  '4': 'repeats its loop more often than allowed',
  '5': 'occurs more often than allowed',
  '6': 'is not part of this kind of document',
  '7': 'is out of order',
};

/** AK4/IK4 element codes in plain words. */
const ELEMENT_PROBLEMS: Record<string, string> = {
  '1': 'is required but empty',
  '2': 'is required when a related element is filled, and it is empty',
  '3': 'is one element too many',
  '4': 'is too short',
  '5': 'is too long',
  '6': 'has characters or a format that is not allowed',
  '7': 'is not one of the allowed codes',
  '8': 'is not a valid date',
  '9': 'is not a valid time',
  '10': 'must be empty when a related element is filled',
  '12': 'repeats more often than allowed',
};

/**
 * A finding in words for someone who does not read X12 codes: where (line N of the set, which
 * segment and element) and what is wrong, with the bad value; the technical message stays beside it.
 */
export function explainIssue(issue: X12Issue): string {
  const where = issue.position
    ? `Line ${issue.position} (${issue.segmentId ?? 'segment'})`
    : issue.segmentId
      ? `The ${issue.segmentId} segment`
      : 'The document';
  const element =
    issue.segmentId && issue.element ? `${issue.segmentId}${String(issue.element).padStart(2, '0')}` : '';
  const value = issue.value ? ` — it holds '${issue.value}'` : '';
  if (issue.ak4 && element && ELEMENT_PROBLEMS[issue.ak4]) {
    // the checker's own words say what the value must be ("must be a whole number"); keep them
    const detail = issue.message.startsWith(element) ? issue.message.slice(element.length).trim() : '';
    const what = ['6', '7'].includes(issue.ak4) && detail ? detail : `${ELEMENT_PROBLEMS[issue.ak4]}${value}`;
    return `${where}: element ${element} ${what}.`;
  }
  if (issue.ak3 && issue.ak3 !== '8' && SEGMENT_PROBLEMS[issue.ak3])
    return `${where}: this segment ${SEGMENT_PROBLEMS[issue.ak3]}.`;
  return `${where}: ${issue.message}.`.replace(/\.\.$/, '.');
}
