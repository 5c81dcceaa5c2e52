import type {
  AckStatus,
  GroupResult,
  InterchangeHeader,
  InterchangeResult,
  TransactionResult,
} from './envelope';
import type { X12Issue } from './errors';
import type { Element, Segment } from './segment';
import { groupRejected, groupVersion } from './envelope-rules';

export { groupRejected };
import type { AckLedger } from './ack-ledger';
import { SegmentStream, segmentText } from './serializer';
import {
  delimiterChars,
  type DelimiterChars,
  type GroupNode,
  type InterchangeNode,
  type TransactionNode,
  type X12Document,
} from './tree';

export interface AckOptions {
  /** ISA13 of the first ack interchange; each further one takes the next number. */
  interchangeControl?: number;
  /** GS06 of the first ack group; each further one takes the next number. */
  groupControl?: number;
  /** Clock for ISA09/ISA10 and GS04/GS05 (UTC). */
  now?: Date;
  /** 'auto' answers 005010 and later with a 999 and earlier versions with a 997. */
  functionalAck?: 'auto' | '997' | '999';
  /** 'auto' sends a TA1 when ISA14 asks for one or the interchange has envelope errors. */
  ta1?: 'auto' | 'always' | 'never';
  /** The sets of each group as an AckLedger kept them, for results read with keepTransactions: false. */
  ledger?: AckLedger;
}

/** The acks one inbound interchange earns, as one interchange (TA1 and/or 997/999 groups), or none. */
export function buildAcks(results: InterchangeResult[], options: AckOptions = {}): X12Document {
  const interchanges = planAcks(results, options).map(({ ic, loops }) => {
    ic.groups.forEach((group, k) => {
      const tx = group.transactions[0]!;
      const [ak1, ak9] = tx.segments as [Segment, Segment];
      tx.segments = [ak1, ...[...loops[k]!()].flat(), ak9];
      tx.trailer = seTrailer(tx.segments.length + 2);
    });
    blankDelimiters(ic);
    return byteForByte(ic);
  });
  return { interchanges };
}

/** One ack interchange as written: the outbox's row of it. */
export interface AckText {
  /** TA1, 997, 999, or TA1+997 and the like. */
  kind: string;
  /** Its ISA13. */
  control: string;
  /** ISA15 T: it answers a test interchange. */
  test: boolean;
  /** Its bytes: the partner's own bytes wherever it echoes them (see byteForByte). */
  bytes: Buffer;
  /**
   * The same bytes as text, one character per byte (latin1), so that ackBytes() gives them back
   * exactly: an echoed byte that is not UTF-8 (0xE9 from a latin1 partner) has no UTF-8 text.
   */
  x12: string;
}

/** The bytes of an ack's text (AckText.x12, or an outbox row made from it). */
export function ackBytes(x12: string): Buffer {
  return Buffer.from(x12, 'latin1');
}

/** TA1, 997, 999 and their combinations (TA1+997): the kinds of AckText. */
export function isAckKind(kind: string): boolean {
  return kind.split('+').every((k) => k === 'TA1' || k === '997' || k === '999');
}

/**
 * The bytes a stored outbound document stands for, as every channel sends them (and a webhook
 * signs them): an ack's text is one character per byte (it echoes the partner's own bytes, which
 * need not be UTF-8); an 855/856/810 is our own text, UTF-8.
 */
export function outboundBytes(doc: { kind: string; x12: string }): Buffer {
  return isAckKind(doc.kind) ? ackBytes(doc.x12) : Buffer.from(doc.x12, 'utf8');
}

/**
 * The same acks as buildAcks, as text, with each 997/999's AK2 loops written as they are made
 * instead of built as a tree first: the ack of a file of half a million sets holds its text, not
 * a million segment objects. The bytes are buildAcks's, serialized.
 */
export function writeAcks(results: InterchangeResult[], options: AckOptions = {}): AckText[] {
  return planAcks(results, options).map(({ ic, loops }) => {
    const kind = ackKind(ic);
    blankDelimiters(ic);
    byteForByte(ic);
    const out = new SegmentStream(ic);
    const fix = cleaner(ic.delimiters);
    const mark = marker(ic);
    const made = (s: Segment) => out.segment(mark(fix(s)));
    out.segment(ic.header);
    ic.groups.forEach((group, k) => {
      group.before?.forEach((s) => out.segment(s));
      out.segment(group.header);
      const tx = group.transactions[0]!;
      out.segment(tx.header);
      out.segment(tx.segments[0]!);
      let count = 2;
      for (const loop of loops[k]!()) {
        for (const s of loop) made(s);
        count += loop.length;
      }
      out.segment(tx.segments[1]!);
      made(seTrailer(count + 2));
      out.segment(group.trailer!);
    });
    ic.tail?.forEach((s) => out.segment(s));
    out.segment(ic.trailer!);
    const control = ic.header.elements[12] as string;
    const bytes = Buffer.concat(out.pieces());
    return { kind, control, test: ic.header.elements[14] === 'T', bytes, x12: bytes.toString('latin1') };
  });
}

/**
 * An ack interchange whose 997/999s hold only their AK1 and AK9, with the AK2 loops of each group
 * to make (one per set, in file order): what buildAcks and writeAcks both start from.
 */
interface PlannedAck {
  ic: InterchangeNode;
  loops: Array<() => Iterable<Segment[]>>;
}

function planAcks(results: InterchangeResult[], options: AckOptions): PlannedAck[] {
  const planned: PlannedAck[] = [];
  let isa13 = options.interchangeControl ?? 1;
  let gs06 = options.groupControl ?? 1;
  for (const ic of results) {
    const header = ic.header;
    if (!header) continue; // nothing readable to answer
    const ta1 = wantsTa1(ic, options) ? ta1Segment(ic, header) : undefined;
    const rejected = ta1 && ta1.elements[3] === 'R';
    const groups: GroupNode[] = [];
    const loops: PlannedAck['loops'] = [];
    if (!rejected) {
      for (const group of ic.groups) {
        if (group.header.functionalId.toUpperCase() === 'FA') continue; // acknowledgments are not acknowledged
        const sets = () => options.ledger?.setsOf(group) ?? group.transactions;
        const ack = functionalAck(group, sets, header, gs06++, options);
        groups.push(ack.node);
        loops.push(ack.loops);
      }
    }
    if (!ta1 && !groups.length) continue;
    planned.push({ ic: ackInterchange(header, isa13++, ta1, groups, options.now ?? new Date()), loops });
  }
  return planned;
}

/** What an ack interchange carries, as its outbox kind: TA1, 997, 999, or TA1+997 and the like. */
function ackKind(ic: InterchangeNode): string {
  const kinds = [
    ...(ic.groups[0]?.before ?? ic.tail ?? []).map(() => 'TA1'),
    ...ic.groups.map((g) => (g.transactions[0]?.header.elements[0] as string | undefined) ?? ''),
  ];
  return [...new Set(kinds)].join('+');
}

const ST02 = '0001';

function seTrailer(segments: number): Segment {
  return seg('SE', String(segments), ST02);
}

function wantsTa1(ic: InterchangeResult, options: AckOptions): boolean {
  if (options.ta1 === 'never') return false;
  return options.ta1 === 'always' || ic.header!.ackRequested || ic.issues.some((i) => i.ta1);
}

/** TA1: ISA13/ISA09/ISA10 of the inbound interchange, A/E/R, and the note code of the first problem. */
function ta1Segment(ic: InterchangeResult, header: InterchangeHeader): Segment {
  const withNote = ic.issues.filter((i) => i.ta1);
  const errors = withNote.filter((i) => i.severity === 'error');
  const status = errors.length ? 'R' : withNote.length ? 'E' : 'A';
  const note = (errors[0] ?? withNote[0])?.ta1 ?? '000';
  return { id: 'TA1', elements: [header.control, header.date, header.time, status, note] };
}

function functionalAck(
  group: GroupResult,
  sets: () => Iterable<TransactionResult>,
  ic: InterchangeHeader,
  control: number,
  options: AckOptions,
): { node: GroupNode; loops: () => Iterable<Segment[]> } {
  // GS08 "4010" is no version: answered in the interchange's (a 997 for ISA12 00401, not a 999)
  const version = groupVersion(group.header.version, ic.version);
  const kind =
    options.functionalAck && options.functionalAck !== 'auto'
      ? options.functionalAck
      : version >= '005'
        ? '999'
        : '997';
  const is999 = kind === '999';
  const v5010 = version >= '005';
  const ak1 = seg(
    'AK1',
    group.header.functionalId,
    group.header.control,
    ...(is999 || v5010 ? [version] : []),
  );
  // A group rejected for a fault of its own (AK9 R, AK905): none of its sets is taken. A set with
  // faults of its own says them in AK5 R / IK5 R. AK501 R needs an AK502 code (IK502 is required
  // whenever IK501 is not A, 005010X231), and neither 718 list has one for "its group was
  // rejected": a set with no fault of its own gets no AK2 loop at all, AK9 R and AK904 0 answer it.
  const rejected = groupRejected(group);
  function* loops(): Iterable<Segment[]> {
    for (const tx of sets()) {
      const response = transactionResponse(rejected ? { ...tx, status: 'R' } : tx, is999, v5010, version);
      if (rejected && response[response.length - 1]!.elements.length < 2) continue;
      yield response;
    }
  }
  const transaction: TransactionNode = {
    header: seg('ST', kind, ST02, ...(is999 ? ['005010X231'] : [])),
    // the AK2 loops go between the two, as they are made
    segments: [ak1, seg('AK9', ...groupResponse(group, sets()))],
  };
  const now = envelopeStamp(options.now ?? new Date());
  const node: GroupNode = {
    header: seg(
      'GS',
      'FA',
      group.header.receiverCode,
      group.header.senderCode,
      now.date8,
      now.time,
      String(control),
      'X',
      is999 ? '005010X231' : version,
    ),
    transactions: [transaction],
    trailer: seg('GE', '1', String(control)),
  };
  return { node, loops };
}

/** AK2, AK3/AK4 (IK3/IK4) per segment in error, AK5 (IK5). */
function transactionResponse(
  tx: TransactionResult,
  is999: boolean,
  v5010: boolean,
  version: string,
): Segment[] {
  const out: Segment[] = [
    seg(
      'AK2',
      tx.setId,
      tx.control,
      ...((is999 || v5010) && tx.implementationRef ? [tx.implementationRef] : []),
    ),
  ];
  const bySegment = new Map<number, X12Issue[]>();
  for (const issue of tx.issues) {
    if (!issue.ak3 && !issue.ak4) continue;
    const key = issue.segmentIndex ?? 0;
    const same = bySegment.get(key);
    if (same) same.push(issue);
    else bySegment.set(key, [issue]);
  }
  for (const issues of bySegment.values()) {
    const first = issues[0]!;
    const segmentCode = issues.find((i) => i.ak3 && i.ak3 !== '8')?.ak3 ?? '8';
    out.push(
      trim(seg(is999 ? 'IK3' : 'AK3', first.segmentId ?? '', String(first.position ?? ''), '', segmentCode)),
    );
    for (const i of issues.filter((x) => x.ak4)) {
      const position: Element = i.component
        ? [String(i.element ?? ''), String(i.component)]
        : String(i.element ?? '');
      out.push(
        trim(
          seg(
            is999 ? 'IK4' : 'AK4',
            position,
            '',
            elementCode(i, is999, version),
            (i.value ?? '').slice(0, 99),
          ),
        ),
      );
    }
  }
  const codes = new Set<string>(tx.issues.filter((i) => i.ak5).map((i) => i.ak5!));
  if (bySegment.size) codes.add('5');
  out.push(trim(seg(is999 ? 'IK5' : 'AK5', tx.status, ...[...codes].slice(0, 5))));
  return out;
}

/**
 * AK403/IK403 as the ack's version defines it. 12 and 13 came with the repetition separator
 * (004020): to an earlier version the separator between "repeats" is a character in the data (6),
 * and components past a composite's last are data elements too many (3). A 999 answers an element
 * a partner's guide does not use with I10 ("Not Used" data element present); a 997 has no such
 * code and keeps the 10 the validator gives it.
 */
function elementCode(issue: X12Issue, is999: boolean, version: string): string {
  if (is999 && issue.code === 'ELEMENT_NOT_USED') return 'I10';
  if (version < '004020' && issue.ak4 === '12') return '6';
  if (version < '004020' && issue.ak4 === '13') return '3';
  return issue.ak4!;
}

/** AK9: A/E/P/R, included (GE01), received, accepted, and group error codes. */
function groupResponse(group: GroupResult, sets: Iterable<TransactionResult>): string[] {
  let received = 0;
  let accepted = 0;
  let withErrors = false;
  for (const t of sets) {
    received++;
    if (t.status !== 'R') accepted++;
    if (t.status === 'E') withErrors = true;
  }
  let status: AckStatus | 'P';
  if (groupRejected(group) || (received > 0 && accepted === 0)) status = 'R';
  else if (accepted < received) status = 'P';
  else if (withErrors || group.issues.length) status = 'E';
  else status = 'A';
  const codes = [...new Set(group.issues.filter((i) => i.ak9).map((i) => i.ak9!))].slice(0, 5);
  return [
    status,
    String(group.declaredCount ?? received),
    String(received),
    String(status === 'R' ? 0 : accepted),
    ...codes,
  ];
}

/** The ack interchange goes back the way the inbound came: sender and receiver swapped, same delimiters and version. */
function ackInterchange(
  h: InterchangeHeader,
  control: number,
  ta1: Segment | undefined,
  groups: GroupNode[],
  now: Date,
): InterchangeNode {
  const delimiters = delimiterChars(h.delimiters);
  const taken = [delimiters.element, delimiters.component];
  // answer a multi-byte terminator with the standard one, or another when the inbound uses it
  if (h.delimiters.segment.length > 1) delimiters.segment = freeDelimiter(['~', "'", '\n'], taken);
  const version = /^\d{5}$/.test(h.version) ? h.version : '00401';
  // no usable ISA11 inbound: a repetition separator none of the other three is, or ISA11 would read as one of them
  const isa11 =
    version < '00402'
      ? 'U'
      : (delimiters.repetition ?? freeDelimiter(['^', '!', '`', '{', '}'], [...taken, delimiters.segment]));
  if (version >= '00402') delimiters.repetition = isa11;
  const isa = isaHeader({
    senderQualifier: h.receiverQualifier,
    senderId: h.receiverId,
    receiverQualifier: h.senderQualifier,
    receiverId: h.senderId,
    now,
    isa11,
    version,
    control,
    usage: h.usage || 'P',
    component: delimiters.component,
  });

  const ic: InterchangeNode = {
    delimiters,
    lineEnding: h.lineEnding,
    header: isa,
    // X12.5: a TA1 stands between the ISA and the first GS
    groups: ta1 && groups.length ? [{ ...groups[0]!, before: [ta1] }, ...groups.slice(1)] : groups,
    ...(ta1 && !groups.length ? { tail: [ta1] } : {}),
    trailer: seg('IEA', String(groups.length), String(control).padStart(9, '0')),
  };
  return ic;
}

/**
 * What an ack copies from the inbound (ids, control numbers, AK404's bad data) may hold a
 * character the ack uses as a delimiter: the inbound's own delimiters were others (a '~' is data
 * when the terminator was '…'). Each becomes a space, which keeps the ISA's fixed width.
 */
function blankDelimiters(ic: InterchangeNode): void {
  const fix = cleaner(ic.delimiters);
  // ISA11 and ISA16 are the repetition and component separators themselves
  const [isa11, isa16] = [ic.header.elements[10], ic.header.elements[15]];
  fix(ic.header);
  if (isa11 !== undefined) ic.header.elements[10] = isa11;
  if (isa16 !== undefined) ic.header.elements[15] = isa16;
  for (const group of ic.groups) {
    fix(group.header);
    for (const s of group.before ?? []) fix(s);
    for (const tx of group.transactions) tx.segments.forEach(fix);
  }
  for (const s of ic.tail ?? []) fix(s);
}

/** Blanks the ack's delimiters in one segment's elements (see blankDelimiters), in place. */
function cleaner(d: DelimiterChars): (segment: Segment) => Segment {
  const chars = [d.element, d.component, d.segment, d.repetition].filter((c): c is string => !!c);
  const clean = (text: string) => (chars.some((c) => text.includes(c)) ? replaceAll(text, chars) : text);
  return (segment) => {
    segment.elements = segment.elements.map((e) =>
      typeof e === 'string' ? clean(e) : Array.isArray(e) ? e.map(clean) : e,
    );
    return segment;
  };
}

function replaceAll(text: string, chars: readonly string[]): string {
  let out = text;
  for (const c of chars) out = out.split(c).join(' ');
  return out;
}

function seg(id: string, ...elements: Element[]): Segment {
  return { id, elements };
}

/** Trailing empty elements are not written. */
function trim(s: Segment): Segment {
  const elements = [...s.elements];
  while (elements.length && elements[elements.length - 1] === '') elements.pop();
  return { ...s, elements };
}

/** ISA09/ISA10 (YYMMDD, HHMM) and GS04 (CCYYMMDD) of a moment, in UTC. */
export function envelopeStamp(now: Date): { date6: string; date8: string; time: string } {
  const iso = now.toISOString(); // UTC: 2026-11-25T11:15:00.000Z
  const date8 = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
  return { date8, date6: date8.slice(2), time: iso.slice(11, 13) + iso.slice(14, 16) };
}

export interface IsaFields {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  now: Date;
  /** The repetition separator from 00402 on, "U" before. */
  isa11: string;
  version: string;
  control: number;
  usage: string;
  component: string;
}

/** An ISA of ours: no authorization or security information, ids padded to their fixed 15 columns. */
export function isaHeader(f: IsaFields): Segment {
  const t = envelopeStamp(f.now);
  return seg(
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    fixed(f.senderQualifier, 2),
    fixed(f.senderId, 15),
    fixed(f.receiverQualifier, 2),
    fixed(f.receiverId, 15),
    t.date6,
    t.time,
    f.isa11,
    f.version,
    String(f.control).padStart(9, '0'),
    '0',
    /^[PT]$/.test(f.usage) ? f.usage : 'P',
    f.component,
  );
}

/**
 * Everything an ack echoes (ids, control numbers, AK4 copies) was read from the inbound a byte to
 * a character; a segment with any character past ASCII, or in an interchange whose delimiters are,
 * is written the same way (latin1), so the partner gets its own bytes back and the ISA keeps its width.
 */
function byteForByte(ic: InterchangeNode): InterchangeNode {
  const mark = marker(ic);
  mark(ic.header);
  ic.tail?.forEach(mark);
  for (const g of ic.groups) {
    g.before?.forEach(mark);
    mark(g.header);
    for (const t of g.transactions) {
      mark(t.header);
      t.segments.forEach(mark);
      if (t.trailer) mark(t.trailer);
    }
    if (g.trailer) mark(g.trailer);
  }
  if (ic.trailer) mark(ic.trailer);
  return ic;
}

/** Marks one segment latin1 when byteForByte would (see there), in place. */
function marker(ic: InterchangeNode): (segment: Segment) => Segment {
  const wide = /[^\x00-\x7f]/;
  const d = ic.delimiters;
  const always = wide.test(d.element + d.component + (d.repetition ?? ''));
  return (s) => {
    if (always || wide.test(segmentText(s, d))) s.encoding = 'latin1';
    return s;
  };
}

/** The ISA is fixed-width (106 bytes): an inbound field read too long or short is cut or padded to its width. */
function fixed(value: string, width: number): string {
  return value.slice(0, width).padEnd(width);
}

/** The first candidate that is none of the delimiters already in use. */
function freeDelimiter(candidates: string[], taken: string[]): string {
  return candidates.find((c) => !taken.includes(c)) ?? candidates[candidates.length - 1]!;
}
