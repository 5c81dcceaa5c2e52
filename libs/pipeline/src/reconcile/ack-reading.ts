import type { AckReason, AckState } from '@edi/persistence';
import { ELEMENT_ERRORS, GROUP_ERRORS, SEGMENT_ERRORS, TA1_NOTES, TRANSACTION_ERRORS } from '@edi/x12';

/** What a partner's answer can make of a document; pending and overdue are ours to decide. */
export type AnswerStatus = Exclude<AckState, 'pending' | 'overdue'>;

/** A 997/999's verdict on one of our transaction sets. */
export interface SetAnswer {
  setId?: string;
  /** ST02 as the partner echoed it (AK202). */
  controlNumber: string;
  status: AnswerStatus;
  reasons: AckReason[];
}

/** A 997/999 read for reconciliation: the group it answers (GS06), and each set's verdict. */
export interface FunctionalAnswer {
  kind: '997' | '999';
  groupControl: string;
  /** The group's own verdict (AK9): applies to the sets the answer does not list. */
  groupStatus: AnswerStatus;
  groupReasons: AckReason[];
  sets: SetAnswer[];
}

/** A TA1 read for reconciliation: the interchange it answers (our ISA13). */
export interface InterchangeAnswer {
  kind: 'TA1';
  controlNumber: string;
  status: AnswerStatus;
  reasons: AckReason[];
}

/** 999 codes beyond the 997's (005010X231): the implementation guide's, not the standard's. */
const IMPLEMENTATION_SEGMENT_ERRORS: Record<string, string> = {
  I4: 'Implementation "not used" segment present',
  I6: 'Implementation dependent segment missing',
  I7: 'Implementation loop occurs under minimum times',
  I8: 'Implementation segment below minimum use',
  I9: 'Implementation dependent "not used" segment present',
};
const IMPLEMENTATION_ELEMENT_ERRORS: Record<string, string> = {
  I6: 'Code value not used in implementation',
  I9: 'Implementation dependent data element missing',
  I10: 'Implementation "not used" data element present',
  I11: 'Implementation too few repetitions',
  I12: 'Implementation pattern match failure',
  I13: 'Implementation dependent "not used" data element present',
};
const IMPLEMENTATION_SET_ERRORS: Record<string, string> = {
  I5: 'Implementation one or more segments in error',
  I6: 'Implementation convention not supported',
};

type Json = Record<string, unknown>;

/**
 * AK501/IK501 and AK901: A accepted; E accepted, errors noted; P (group only) partially accepted;
 * R, M, W, X rejected (M, W, X: authentication, assurance or decryption failed).
 */
function statusOf(code: unknown): AnswerStatus {
  switch (scalar(code)) {
    case 'A':
      return 'accepted';
    case 'E':
    case 'P':
      return 'accepted_with_errors';
    default:
      return 'rejected';
  }
}

/** An element's value as text: the maps give numbers for numeric elements, strings for the rest. */
function scalar(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function text(v: unknown): string | undefined {
  return scalar(v) || undefined;
}

/** Reads a translated 997 or 999 (its canonical JSON) into what it says of each set. */
export function readFunctionalAck(setId: '997' | '999', document: Json): FunctionalAnswer {
  const body = (document.functionalAcknowledgment ?? document.implementationAcknowledgment ?? {}) as Json;
  const group = (body.groupResponse ?? {}) as Json;
  const groupReasons = errorCodes(group, 5, (c) => GROUP_ERRORS[c as keyof typeof GROUP_ERRORS]);
  const sets = ((body.transactions ?? []) as Json[]).map((t): SetAnswer => {
    const reasons = ((t.segmentErrors ?? []) as Json[]).flatMap((s) => segmentReasons(setId, s));
    reasons.push(
      ...errorCodes(
        t,
        5,
        (c) => TRANSACTION_ERRORS[c as keyof typeof TRANSACTION_ERRORS] ?? IMPLEMENTATION_SET_ERRORS[c],
      ),
    );
    return {
      setId: text(t.transactionSet),
      controlNumber: scalar(t.controlNumber),
      // an AK2 without AK5 says nothing of its own: the group's verdict stands
      status: statusOf(t.status ?? group.status),
      reasons,
    };
  });
  return {
    kind: setId,
    groupControl: scalar(body.groupControlNumber),
    groupStatus: statusOf(group.status),
    groupReasons,
    sets,
  };
}

/** AK502…AK506 (errorCode1…5 from index `first`), AK905…AK909: each code in words. */
function errorCodes(holder: Json, count: number, words: (code: string) => string | undefined): AckReason[] {
  const out: AckReason[] = [];
  for (let k = 1; k <= count; k++) {
    const code = text(holder[`errorCode${k}`]);
    if (code) out.push({ code, message: words(code) ?? `error code ${code}` });
  }
  return out;
}

/** One AK3/IK3 and its AK4/IK4s: each a reason that names our segment (and element). */
function segmentReasons(setId: '997' | '999', s: Json): AckReason[] {
  const segmentId = text(s.segmentId) ?? '?';
  const position = Number(s.position) || undefined;
  const code = text(s.code);
  const where = `${segmentId}${position ? ` (segment ${position} of the set)` : ''}`;
  const segmentWords = code
    ? (SEGMENT_ERRORS[code as keyof typeof SEGMENT_ERRORS] ??
      (setId === '999' ? IMPLEMENTATION_SEGMENT_ERRORS[code] : undefined) ??
      `segment error ${code}`)
    : undefined;
  const elements = (s.elementErrors ?? []) as Json[];
  const reasons: AckReason[] = elements.map((e) => {
    const ecode = text(e.code) ?? '?';
    // AK401 is C030: the element's position, then the component's (3>1 reads "element 3, component 1")
    const place = Array.isArray(e.position) ? e.position.map(scalar) : scalar(e.position).split(/\D+/);
    const element = Number(place[0]) || undefined;
    const component = Number(place[1]) || undefined;
    const badValue = text(e.badValue);
    const words =
      ELEMENT_ERRORS[ecode as keyof typeof ELEMENT_ERRORS] ??
      (setId === '999' ? IMPLEMENTATION_ELEMENT_ERRORS[ecode] : undefined) ??
      `element error ${ecode}`;
    const at = `${segmentId}${element ? String(element).padStart(2, '0') : ''}${component ? `-${component}` : ''}`;
    return {
      code: ecode,
      message: `${at}: ${words}${badValue ? ` ('${badValue}')` : ''}, in ${where}`,
      segmentId,
      position,
      element,
      badValue,
    };
  });
  // AK304 8 says only "has element errors": the AK4s say which; any other code is its own reason
  if (segmentWords && (code !== '8' || !reasons.length))
    reasons.unshift({ code: code!, message: `${where}: ${segmentWords}`, segmentId, position });
  return reasons;
}

/** TA101 (our ISA13), TA104 (A, E, R) and TA105 (the note code) of a TA1 segment's elements. */
export function readTa1(fields: string[]): InterchangeAnswer {
  const [control = '', , , code = '', note = ''] = fields;
  const words = TA1_NOTES[note as keyof typeof TA1_NOTES];
  const status = code === 'A' ? 'accepted' : code === 'E' ? 'accepted_with_errors' : 'rejected';
  return {
    kind: 'TA1',
    controlNumber: control.trim(),
    status,
    reasons:
      note && note !== '000'
        ? [{ code: note, message: `interchange: ${words ?? `note code ${note}`}`, segmentId: 'ISA' }]
        : [],
  };
}

/** Control numbers compared as numbers: a partner may echo 7 for our 0007, or pad it. */
export function sameNumber(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/^0+(?=.)/, '');
  return norm(a) === norm(b);
}
