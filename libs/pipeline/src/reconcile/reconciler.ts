import {
  AcksRepository,
  type AckAnswer,
  type AckReason,
  type SentDocument,
  type TradingPartner,
} from '@edi/persistence';
import type { EntityManager } from 'typeorm';
import {
  readFunctionalAck,
  readTa1,
  sameNumber,
  type AnswerStatus,
  type FunctionalAnswer,
  type InterchangeAnswer,
} from './ack-reading';
import { raiseAckEvent } from './ack-events';

/** What one inbound interchange said about what we sent. */
export interface ReceivedAnswers {
  interchangeId: string;
  /** The translated 997/999 sets of the interchange: set id and canonical JSON. */
  functional: Array<{ setId: '997' | '999'; document: Record<string, unknown> }>;
  /** The elements of each TA1 segment in it. */
  ta1s: string[][];
}

/** What reconciling one answer did, for the log and the tests. */
export interface Reconciled {
  kind: AckAnswer['kind'];
  /** GS06 (997/999) or ISA13 (TA1) the answer named. */
  answers: string;
  /** Our outbound document it matched, if any. */
  documentId?: string;
  status?: AnswerStatus;
  note?: AckAnswer['note'];
}

/** A 997/999 says more than a TA1: it answers the set, a TA1 only the envelope. */
const WEIGHT: Record<AckAnswer['kind'], number> = { TA1: 0, '997': 1, '999': 1 };

/**
 * Matches a partner's TA1, 997 and 999 to the documents we sent them (TA1 by ISA13, 997/999 by
 * GS06 and ST02) and moves each document's acknowledgment state. Runs in the translate stage's
 * database transaction, so the state changes exactly when the answer is stored. Late answers (after
 * the document went overdue) still set the state; a repeated one is recorded but changes nothing;
 * a TA1 after a 997 does not undo what the 997 said.
 */
export class Reconciler {
  constructor(private readonly clock: () => Date = () => new Date()) {}

  async reconcile(m: EntityManager, partner: TradingPartner, r: ReceivedAnswers): Promise<Reconciled[]> {
    const acks = new AcksRepository(m);
    const out: Reconciled[] = [];
    for (const ta1 of r.ta1s) {
      const answer = readTa1(ta1);
      const docs = await acks.sentInInterchange(partner.id, answer.controlNumber);
      if (!docs.length) out.push({ kind: 'TA1', answers: answer.controlNumber });
      for (const sent of docs) out.push(await this.apply(m, partner, sent, answer, r.interchangeId));
    }
    for (const f of r.functional) {
      const answer = readFunctionalAck(f.setId, f.document);
      const docs = await acks.sentInGroup(partner.id, answer.groupControl);
      const matched = matchSets(answer, docs);
      if (!matched.length) out.push({ kind: answer.kind, answers: answer.groupControl });
      for (const { sent, status, reasons } of matched)
        out.push(await this.apply(m, partner, sent, { kind: answer.kind, status, reasons }, r.interchangeId));
    }
    return out;
  }

  private async apply(
    m: EntityManager,
    partner: TradingPartner,
    sent: SentDocument,
    answer: Pick<InterchangeAnswer, 'status' | 'reasons'> & { kind: AckAnswer['kind'] },
    interchangeId: string,
  ): Promise<Reconciled> {
    const doc = sent.document;
    const at = this.clock().toISOString();
    const history = doc.ackAnswers ?? [];
    const decided = history.filter((a) => !a.note);
    const last = decided[decided.length - 1];
    let note: AckAnswer['note'];
    if (last && last.kind === answer.kind && last.status === answer.status) note = 'duplicate';
    else if (last && WEIGHT[last.kind] > WEIGHT[answer.kind]) note = 'superseded';
    const late = doc.ackStatus === 'overdue' && !note;
    history.push({ kind: answer.kind, status: answer.status, interchangeId, at, ...(note ? { note } : {}) });
    if (late) history[history.length - 1]!.note = 'late';
    if (note) {
      await new AcksRepository(m).saveState(doc.id, {
        ackStatus: doc.ackStatus ?? 'pending',
        ackAt: doc.ackAt ?? at,
        ackReasons: doc.ackReasons,
        ackAnswers: history,
      });
      return {
        kind: answer.kind,
        answers: doc.controlNumber,
        documentId: doc.id,
        status: answer.status,
        note,
      };
    }
    const reasons = answer.reasons.map((x) => pointAt(x, doc.x12, sent));
    const state = { ackStatus: answer.status, ackAt: at, ackReasons: reasons.length ? reasons : null };
    await new AcksRepository(m).saveState(doc.id, { ...state, ackAnswers: history });
    if (answer.status === 'rejected' && doc.ackStatus !== 'rejected')
      await raiseAckEvent(m, partner, sent, 'ack.rejected', state);
    return {
      kind: answer.kind,
      answers: doc.controlNumber,
      documentId: doc.id,
      status: answer.status,
      ...(late ? { note: 'late' as const } : {}),
    };
  }
}

/**
 * Each of our sets in the answered group with its verdict: the AK2 that names its ST02 (and set),
 * else the group's AK9 (a 997 may list only the sets in error, or none at all). Counters wrap, so
 * of several documents with one GS06 the newest is meant.
 */
function matchSets(
  answer: FunctionalAnswer,
  docs: SentDocument[],
): Array<{ sent: SentDocument; status: AnswerStatus; reasons: AckReason[] }> {
  const out: Array<{ sent: SentDocument; status: AnswerStatus; reasons: AckReason[] }> = [];
  const seen = new Set<string>();
  for (const sent of docs) {
    const key = `${sent.setId}/${Number(sent.setControl)}`;
    if (seen.has(key)) continue; // an older document under a wrapped number
    seen.add(key);
    const listed = answer.sets.find(
      (s) => sameNumber(s.controlNumber, sent.setControl) && (!s.setId || s.setId === sent.setId),
    );
    if (listed) out.push({ sent, status: listed.status, reasons: listed.reasons });
    else if (!answer.sets.length || answer.groupStatus !== 'accepted_with_errors')
      out.push({ sent, status: answer.groupStatus, reasons: answer.groupReasons });
    // a partly accepted group that does not list a set accepted it
    else out.push({ sent, status: 'accepted', reasons: [] });
  }
  return out;
}

/** The reason with our own segment as we sent it (AK302/IK302 count from ST as 1). */
function pointAt(reason: AckReason, x12: string, sent: SentDocument): AckReason {
  if (!reason.position || !reason.segmentId || reason.segmentId === 'ISA') return reason;
  const element = x12[3] ?? '*';
  const terminator = x12[105] ?? '~';
  const segments = x12.split(terminator).map((s) => s.trim());
  const st = segments.findIndex((s) => {
    const f = s.split(element);
    return f[0] === 'ST' && f[1] === sent.setId && sameNumber(f[2] ?? '', sent.setControl);
  });
  const segment = st >= 0 ? segments[st + reason.position - 1] : undefined;
  // only if it is the segment the partner named: a wrong position must not point at another one
  return segment && segment.split(element)[0] === reason.segmentId ? { ...reason, segment } : reason;
}
