import type { EnvelopeHandler, RawSegment, SegmentRole, TransactionResult, X12Issue } from '@edi/x12';
// the modules themselves, not @edi/x12's index: `edi validate` of a small file is mostly its start,
// and the index loads the ack writer and the serializer too
import { groupVersion } from '@edi/x12/envelope-rules';
import { MAX_ISSUES_PER_SET, addOmitted, issueStatus, keepIssue, type IssueHolder } from '@edi/x12/limits';
import { LazySegment } from './byte-check';
import type { MapRegistry } from './loader';
import type { TransactionMap } from './model';
import { documentBuilder, type JsonObject } from './to-json';
import { guideChecker, type GuideChecker } from './validate';
import { Walker, type WalkVisitor } from './walk';

export interface Party {
  qualifier: string;
  id: string;
  applicationCode: string;
}

/** A translated transaction set: envelope facts every document carries, then its body under the map's key. */
export interface CanonicalDocument extends JsonObject {
  transactionSet: string;
  version: string;
  controlNumber: string;
  sender: Party & JsonObject;
  receiver: Party & JsonObject;
}

export interface Translation {
  document: CanonicalDocument;
  /** Which map read it: 850/004010, or with a partner 850/004010 (acme). */
  map: string;
  /** GS06 of the group the set came in. */
  groupControl: string;
  /** Which interchange of the file it came in (0, 1, …). */
  interchangeIndex: number;
  /** Which transaction set of the file it is, counting every ST from 0 (sets without a map too). */
  setIndex: number;
  issues: X12Issue[];
  status: TransactionResult['status'];
}

export interface GuideOptions {
  partner?: string;
  /**
   * Called with each translated transaction set, in order, and its number of body segments (a
   * writer may size its output by it). Without it no document is made.
   */
  onDocument?: (t: Translation, segments: number) => void;
  /**
   * The document's lists as PackedLists (see to-json.ts): for a caller that writes each document
   * with a writer that iterates them, so a set of 500,000 lines is held as text, not as objects.
   */
  packLists?: boolean;
  /** How each set's document is made while it is walked (the text writer's seam); documentBuilder's objects without it. */
  documents?: DocumentWriter;
}

/** Makes each translated set's document during its walk: guideHandler's objects, or the text writer (text-handler.ts). */
export interface DocumentWriter {
  /** A set whose map is known starts; its envelope so far. */
  open(set: OpenedSet): SetDocument;
}

export interface OpenedSet {
  map: TransactionMap;
  /** ST01-03 as read. */
  st: string[];
  isa: string[];
  gs: string[];
  /** A walker of the set's map into `visitor` (the text writer walks a set again when it hands it over). */
  walker(visitor: WalkVisitor): Walker;
}

/** One set's document being made. */
export interface SetDocument {
  /** Where the walk's document calls go, read at each call (the text writer may hand over to objects). */
  readonly visitor: WalkVisitor;
  /** Gives the walk a body segment, in the form this document reads it. */
  push(raw: RawSegment, walker: Walker): void;
  /** The walk ended: the body as objects for onDocument, or undefined when the writer wrote the document itself. */
  end(result: TransactionResult): JsonObject | undefined;
  /** The set is dropped (past the segment limit, or it never ended): nothing of it stays. */
  drop(): void;
}

/** guideHandler's own documents: documentBuilder's objects, from the decoded segments. */
function objectDocuments(pack: boolean | undefined): DocumentWriter {
  return {
    open() {
      const root: JsonObject = {};
      return {
        visitor: documentBuilder(root, { pack }),
        push: (raw, walker) => walker.push(raw.toSegment('')),
        end: () => root,
        drop() {},
      };
    },
  };
}

/** One transaction set being checked (and translated) while its segments stream by. */
interface OpenSet {
  map: TransactionMap;
  walker: Walker;
  checker: GuideChecker;
  /** The guide's findings so far, capped like the set's own. */
  found: IssueHolder;
  /** Translating, the set's document. */
  document: SetDocument | undefined;
  /** The set's ST in the file: a finding's segment number follows from it. */
  stIndex: number;
}

/**
 * Wraps an envelope handler with guide validation and translation: each transaction set's
 * segments go through the map's walker as they stream by, so only the set's open loops, its
 * findings (at most MAX_ISSUES_PER_SET) and, when translating, its document are in memory. The
 * issues are added to the set's result (so the 997/999 carries AK3/AK4) and the canonical
 * document goes to onDocument.
 */
export function guideHandler(
  registry: MapRegistry,
  inner: EnvelopeHandler = {},
  options: GuideOptions = {},
): EnvelopeHandler {
  let isa: string[] = [];
  let interchangeIndex = -1;
  let setIndex = -1;
  let gs: string[] = [];
  /** 'none' outside a set; 'refused' once a set passed the segment limit. */
  let state: 'none' | 'unsupported' | 'open' | 'refused' = 'none';
  let open: OpenSet | undefined;
  const { onDocument } = options;
  const documents = onDocument ? (options.documents ?? objectDocuments(options.packLists)) : undefined;
  /** Each guide's walker and checker, reset for each set (see openSet). */
  const sets = new Map<TransactionMap, OpenSet>();
  const knows = (id: string) => registry.knowsSegment(id);
  return {
    ...inner,
    onSegment(raw: RawSegment, role: SegmentRole) {
      if (role === 'isa') {
        isa = raw.fields();
        interchangeIndex++;
      } else if (role === 'gs') gs = raw.fields();
      else if (role === 'st') {
        setIndex++;
        open?.document?.drop(); // a set that never ended leaves nothing behind
        const st = raw.fields();
        // GS08 "4010" is no version (an envelope error): the set is read in ISA12's
        open = openSet(
          registry,
          st[0] ?? '',
          groupVersion(gs[7] ?? '', isa[11] ?? ''),
          raw.index,
          options,
          sets,
        );
        state = open ? 'open' : 'unsupported';
        if (open && documents) {
          const { map } = open;
          open.document = documents.open({
            map,
            st: st.slice(0, 3),
            isa,
            gs,
            walker: (visitor) => new Walker(map, visitor, knows),
          });
        }
      } else if (role === 'body' && open) {
        if (open.document) open.document.push(raw, open.walker);
        // validating only, a segment is decoded when a check needs its values (see byte-check.ts)
        else open.walker.push(new LazySegment(raw));
      }
      inner.onSegment?.(raw, role);
    },
    onSetTooLong(result: TransactionResult) {
      if (state === 'open') state = 'refused';
      open?.document?.drop();
      open = undefined; // what was gathered goes, and nothing more is
      inner.onSetTooLong?.(result);
    },
    onTransaction(result: TransactionResult) {
      const add = (i: X12Issue, force = false) => {
        if (keepIssue(result, i, MAX_ISSUES_PER_SET, force)) inner.onIssue?.(i);
      };
      if (state === 'unsupported') add(notSupported(result), true);
      if (open) {
        const { map, walker, checker, found, document } = open;
        walker.end();
        checker.finish(map, walker.seen + 2);
        for (const i of found.issues) add(i);
        if (found.omitted) addOmitted(result, found.omitted);
        const root = document?.end(result);
        if (root && onDocument) {
          onDocument(
            {
              document: canonical(result, isa, gs, map, root),
              groupControl: gs[5] ?? '',
              interchangeIndex,
              setIndex,
              map: `${map.transactionSet}/${map.version}${map.partner ? ` (${map.partner})` : ''}`,
              issues: result.issues,
              status: issueStatus(result),
            },
            walker.seen,
          );
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
 * The walker and checker of a set whose map is known: a guide's walker and checker are made once
 * and reset for each set, as a file of small sets paid more for a walker and checker per set than
 * for walking the set.
 */
function openSet(
  registry: MapRegistry,
  setId: string,
  gs08: string,
  stIndex: number,
  options: GuideOptions,
  sets: Map<TransactionMap, OpenSet>,
): OpenSet | undefined {
  const choice = registry.chooseVersion(setId, gs08);
  if (!choice) return undefined;
  const { version } = choice;
  // before 004010 dates had six digits: read an 003xxx document with YYMMDD dates whatever map it uses
  const map = registry.get(setId, version, options.partner, gs08 < '004' ? 'YYMMDD' : undefined);
  let set = sets.get(map);
  if (set) {
    set.walker.reset();
    set.checker.reset();
    set.found.issues = [];
    set.found.omitted = undefined;
    set.document = undefined;
  } else sets.set(map, (set = newSet(registry, map, options)));
  set.stIndex = stIndex;
  // GS08's version has no table here: read with the nearest one, and say so (not a fault of the file)
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

function newSet(registry: MapRegistry, map: TransactionMap, options: GuideOptions): OpenSet {
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
  // the checker sees each segment before the document does (the text writer reads what the byte check found)
  const visitor: WalkVisitor = options.onDocument
    ? {
        enterLoop: (l, s, p) => set.document!.visitor.enterLoop!(l, s, p),
        exitLoop: (l) => set.document!.visitor.exitLoop!(l),
        segment: (n, s, p, o) => {
          checker.segment!(n, s, p, o);
          set.document!.visitor.segment!(n, s, p, o);
        },
        unmatched: (s, p) => set.document!.visitor.unmatched!(s, p),
        issue: (i) => checker.issue!(i),
      }
    : checker;
  const set: OpenSet = {
    map,
    walker: new Walker(map, visitor, (id) => registry.knowsSegment(id)),
    checker,
    found,
    document: undefined,
    stIndex: 0,
  };
  return set;
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

/** The envelope facts every document starts with, in their order: a document without its body. */
export function envelopeOf(
  st: { setId: string; control: string; implementationRef?: string },
  isa: string[],
  gs: string[],
): CanonicalDocument {
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
  return { ...envelopeOf(result, isa, gs), [map.document]: root };
}
