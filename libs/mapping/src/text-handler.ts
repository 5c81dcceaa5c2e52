import {
  MAX_ISSUES_PER_SET,
  addOmitted,
  groupVersion,
  issueStatus,
  keepIssue,
  type EnvelopeHandler,
  type IssueHolder,
  type RawSegment,
  type Segment,
  type SegmentRole,
  type TransactionResult,
  type X12Issue,
} from '@edi/x12';
import { LazySegment } from './byte-check';
import type { CanonicalDocument } from './guide-handler';
import type { DocumentBytes } from './json-bytes';
import type { MapRegistry } from './loader';
import type { TransactionMap } from './model';
import { TextBuilder } from './text-builder';
import { documentBuilder, type JsonObject } from './to-json';
import { guideChecker, type GuideChecker } from './validate';
import { Walker, type WalkVisitor } from './walk';

/**
 * Sets of more segments than this are built as objects, as before the text writer: the writer keeps
 * a set's segments until its end to rebuild it should a write not fit (see TextBuilder), and a set
 * of 500,000 lines is better held as packed text (see PackedList) than as its segments.
 */
export const TEXT_SET_MAX = 5000;

export interface TextHandlerOptions {
  partner?: string;
  /** Where each document's JSON text goes, committed when its set ends. */
  out: DocumentBytes;
  /**
   * A document written as objects instead (a set past TEXT_SET_MAX segments, or one the text writer
   * handed back), with its body segments: the caller writes it. Its lists are PackedLists.
   */
  onDocument: (document: CanonicalDocument, segments: number) => void;
}

/** One transaction set being checked and written while its segments stream by. */
interface OpenSet {
  map: TransactionMap;
  walker: Walker;
  checker: GuideChecker;
  found: IssueHolder;
  /** The set's ST in the file: a finding's segment number follows from it. */
  stIndex: number;
  /** The text writer, until it hands the set over to `builder`. */
  text: TextBuilder | undefined;
  /** Where the walk's calls go: the text writer, or the object builder that took over. */
  sink: WalkVisitor;
  root: JsonObject | undefined;
  /** The set's body segments, kept while the text writer may still hand the set over. */
  segments: Segment[];
  /** ST01-03 as the document's text was started with them. */
  st: string[];
}

/**
 * guideHandler for `edi translate`: the same checks and findings (the walk's segments are
 * LazySegments, checked on their bytes as `edi validate` checks them), and each set's canonical
 * document written as JSON text into `out` during the walk instead of built as objects (see
 * TextBuilder), the document being exactly `JSON.stringify(document, null, 2)` of what
 * guideHandler's onDocument would give.
 */
export function textHandler(
  registry: MapRegistry,
  inner: EnvelopeHandler,
  options: TextHandlerOptions,
): EnvelopeHandler {
  let isa: string[] = [];
  let gs: string[] = [];
  let state: 'none' | 'unsupported' | 'open' | 'refused' = 'none';
  let open: OpenSet | undefined;
  /** Each guide's walker and checker, reset for each set (as guideHandler's when validating). */
  const sets = new Map<TransactionMap, OpenSet>();
  const { out } = options;
  return {
    ...inner,
    onSegment(raw: RawSegment, role: SegmentRole) {
      if (role === 'isa') isa = raw.fields();
      else if (role === 'gs') gs = raw.fields();
      else if (role === 'st') {
        // a set that never ended (no onTransaction) leaves no text behind
        if (open?.text) out.rollback();
        const st = raw.fields();
        open = openSet(
          registry,
          st,
          groupVersion(gs[7] ?? '', isa[11] ?? ''),
          raw.index,
          options.partner,
          sets,
        );
        state = open ? 'open' : 'unsupported';
        if (open) startText(out, open, isa, gs, registry);
      } else if (role === 'body' && open) push(open, new LazySegment(raw), registry, out);
      inner.onSegment?.(raw, role);
    },
    onSetTooLong(result: TransactionResult) {
      if (state === 'open') state = 'refused';
      if (open?.text) out.rollback();
      open = undefined;
      inner.onSetTooLong?.(result);
    },
    onTransaction(result: TransactionResult) {
      const add = (i: X12Issue, force = false) => {
        if (keepIssue(result, i, MAX_ISSUES_PER_SET, force)) inner.onIssue?.(i);
      };
      if (state === 'unsupported') add(notSupported(result), true);
      if (open) {
        const set = open;
        set.walker.end();
        if (set.text?.failed) handOver(set, registry, out, true);
        set.checker.finish(set.map, set.walker.seen + 2);
        for (const i of set.found.issues) add(i);
        if (set.found.omitted) addOmitted(result, set.found.omitted);
        if (set.text && sameSt(set.st, result)) {
          set.text.finish();
          out.ascii('\n}');
          out.commit();
        } else {
          if (set.text) handOver(set, registry, out, true);
          options.onDocument(canonical(result, isa, gs, set.map, set.root!), set.walker.seen);
        }
      }
      result.status = issueStatus(result);
      state = 'none';
      open = undefined;
      inner.onTransaction?.(result);
    },
  };
}

/**
 * The walker, checker and text writer of a set whose map is known (as guideHandler's openSet): a
 * guide's walker and checker are made once and reset for each set.
 */
function openSet(
  registry: MapRegistry,
  st: string[],
  gs08: string,
  stIndex: number,
  partner: string | undefined,
  sets: Map<TransactionMap, OpenSet>,
): OpenSet | undefined {
  const setId = st[0] ?? '';
  const choice = registry.chooseVersion(setId, gs08);
  if (!choice) return undefined;
  // before 004010 dates had six digits: read an 003xxx document with YYMMDD dates whatever map it uses
  const map = registry.get(setId, choice.version, partner, gs08 < '004' ? 'YYMMDD' : undefined);
  let set = sets.get(map);
  if (set) {
    set.walker.reset();
    set.checker.reset();
    set.found.issues = [];
    set.found.omitted = undefined;
    set.text = undefined;
    set.sink = {};
    set.root = undefined;
    set.segments = [];
  } else sets.set(map, (set = newSet(registry, map)));
  set.stIndex = stIndex;
  set.st = st.slice(0, 3);
  if (choice.warning)
    set.found.issues.push({
      code: 'VERSION_FALLBACK',
      severity: 'warning',
      segmentId: 'ST',
      segmentIndex: stIndex,
      position: 1,
      message: choice.warning,
    });
  return set;
}

function newSet(registry: MapRegistry, map: TransactionMap): OpenSet {
  const found: IssueHolder = { issues: [] };
  // positions count ST as 1; the segment's number in the file follows from the ST's
  const checker = guideChecker({
    push: (i: X12Issue) =>
      keepIssue(
        found,
        { ...i, segmentIndex: i.position !== undefined ? set.stIndex + i.position - 1 : undefined },
        MAX_ISSUES_PER_SET,
      ),
  });
  const set: OpenSet = {
    map,
    checker,
    found,
    stIndex: 0,
    text: undefined,
    sink: {},
    root: undefined,
    segments: [],
    st: [],
    walker: undefined as unknown as Walker,
  };
  const visitor: WalkVisitor = {
    enterLoop: (l, s, p) => set.sink.enterLoop!(l, s, p),
    exitLoop: (l) => set.sink.exitLoop!(l),
    segment: (n, s, p, o) => {
      checker.segment!(n, s, p, o);
      set.sink.segment!(n, s, p, o);
    },
    unmatched: (s, p) => set.sink.unmatched!(s, p),
    issue: (i) => checker.issue!(i),
  };
  set.walker = new Walker(map, visitor, (id) => registry.knowsSegment(id));
  return set;
}

/** Starts the document's text: the envelope facts, then the body's key (the body follows as it is walked). */
function startText(
  out: DocumentBytes,
  set: OpenSet,
  isa: string[],
  gs: string[],
  registry: MapRegistry,
): void {
  const head = headOf(set.st, isa, gs, set.map);
  if (!head) return handOver(set, registry, out, false);
  out.begin();
  out.bytes(head.before, 0, head.before.length);
  out.utf8(JSON.stringify(set.st[1] ?? ''));
  out.bytes(head.after, 0, head.after.length);
  set.text = new TextBuilder(out);
  set.sink = set.text;
}

/** The envelope's text around ST02, the same for every set of a group but its control number. */
interface Head {
  isa: string[];
  gs: string[];
  setId: string;
  implementationRef: string | undefined;
  map: TransactionMap;
  before: Buffer;
  after: Buffer;
}

let lastHead: Head | undefined;

/** The head for this set, made once per group and set id; undefined when the text writer cannot write the map's documents. */
function headOf(st: string[], isa: string[], gs: string[], map: TransactionMap): Head | undefined {
  const [setId = '', , implementationRef] = st;
  const h = lastHead;
  if (
    h &&
    h.isa === isa &&
    h.gs === gs &&
    h.setId === setId &&
    h.implementationRef === implementationRef &&
    h.map === map
  )
    return h;
  const head = envelope({ setId, control: '\u0000', implementationRef }, isa, gs);
  if (!textFits(map, head)) return undefined;
  const text = JSON.stringify(head, null, 2);
  // the member's own text, not a value before it that is "\u0000" too
  const at = text.indexOf('"controlNumber": "\\u0000"') + '"controlNumber": '.length;
  lastHead = {
    isa,
    gs,
    setId,
    implementationRef,
    map,
    before: Buffer.from(text.slice(0, at), 'utf8'),
    after: Buffer.from(`${text.slice(at + 8, -2)},\n  ${JSON.stringify(map.document)}: `, 'utf8'),
  };
  return lastHead;
}

function push(set: OpenSet, seg: Segment, registry: MapRegistry, out: DocumentBytes): void {
  if (set.text) set.segments.push(seg);
  set.walker.push(seg);
  if (set.text && (set.text.failed || set.segments.length > TEXT_SET_MAX))
    handOver(set, registry, out, false);
}

/**
 * The set goes to documentBuilder from here on: its text so far is dropped, and a second walk of
 * the segments so far (`ended`: and the set's end), into the builder alone, brings the builder to
 * where the set's walk stands (the walk depends on the segments only), so the rest of the walk
 * goes on into it.
 */
function handOver(set: OpenSet, registry: MapRegistry, out: DocumentBytes, ended: boolean): void {
  if (set.text) out.rollback();
  set.text = undefined;
  const root: JsonObject = {};
  const builder = documentBuilder(root, { pack: true });
  set.root = root;
  set.sink = builder;
  if (set.segments.length || ended) {
    const again = new Walker(set.map, builder, (id) => registry.knowsSegment(id));
    for (const seg of set.segments) again.push(seg);
    if (ended) again.end();
  }
  set.segments = [];
}

/**
 * Whether the text writer can write this map's documents: the keys JSON.stringify would order
 * differently from their first write (integer-like ones go first) or that an object already has
 * (Object.prototype's), and a body key that is also an envelope key, are left to the objects.
 */
function textFits(map: TransactionMap, head: object): boolean {
  let fits = fitCache.get(map);
  if (fits === undefined) fitCache.set(map, (fits = mapKeysFit(map)));
  return fits && !Object.prototype.hasOwnProperty.call(head, map.document) && keyFits(map.document);
}

const fitCache = new WeakMap<TransactionMap, boolean>();

function mapKeysFit(map: TransactionMap): boolean {
  const keys: string[] = ['unplaced', 'level', 'levels'];
  const visit = (nodes: TransactionMap['children']): void => {
    for (const node of nodes) {
      if (node.path) keys.push(...node.path);
      if (node.kind === 'loop') {
        for (const level of node.hierarchy?.levels.values() ?? []) keys.push(...(level.path ?? []));
        visit(node.children);
        continue;
      }
      for (const def of node.elements) keys.push(...(def.path ?? []));
      if (node.pairs) keys.push(node.pairs.other, ...node.pairs.fields.values());
    }
  };
  visit(map.children);
  return keys.every(keyFits);
}

function keyFits(key: string): boolean {
  return !/^(?:0|[1-9]\d*)$/.test(key) && !(key in Object.prototype);
}

function sameSt(st: string[], result: TransactionResult): boolean {
  return st[0] === result.setId && st[1] === result.control && st[2] === result.implementationRef;
}

function envelope(
  st: { setId: string; control: string; implementationRef?: string },
  isa: string[],
  gs: string[],
): JsonObject {
  return {
    transactionSet: st.setId,
    version: gs[7] ?? '',
    controlNumber: st.control,
    ...(st.implementationRef ? { implementationReference: st.implementationRef } : {}),
    sender: { qualifier: isa[4] ?? '', id: (isa[5] ?? '').trim(), applicationCode: gs[1] ?? '' },
    receiver: { qualifier: isa[6] ?? '', id: (isa[7] ?? '').trim(), applicationCode: gs[2] ?? '' },
  };
}

function canonical(
  result: TransactionResult,
  isa: string[],
  gs: string[],
  map: TransactionMap,
  root: JsonObject,
): CanonicalDocument {
  return { ...envelope(result, isa, gs), [map.document]: root } as unknown as CanonicalDocument;
}

function notSupported(result: TransactionResult): X12Issue {
  return {
    code: 'SET_NOT_SUPPORTED',
    severity: 'error',
    ak5: '1',
    segmentId: 'ST',
    segmentIndex: result.segmentIndex,
    position: 1,
    element: 1,
    value: result.setId,
    message: `transaction set ${result.setId} has no map in edi-maps/`,
  };
}
