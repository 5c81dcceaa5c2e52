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
  /** Called with each translated transaction set, in order. Without it no document is built. */
  onDocument?: (t: Translation) => void;
  /**
   * The document's lists as PackedLists (see to-json.ts): for a caller that writes each document
   * with a writer that iterates them, so a set of 500,000 lines is held as text, not as objects.
   */
  packLists?: boolean;
}

/** One transaction set being checked (and translated) while its segments stream by. */
interface OpenSet {
  map: TransactionMap;
  walker: Walker;
  checker: GuideChecker;
  /** The guide's findings so far, capped like the set's own. */
  found: IssueHolder;
  root: JsonObject;
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
  /** Validating only, each guide's walker and checker, reset for each set (see reuse). */
  const checking = new Map<TransactionMap, OpenSet>();
  return {
    ...inner,
    onSegment(raw: RawSegment, role: SegmentRole) {
      if (role === 'isa') {
        isa = raw.fields();
        interchangeIndex++;
      } else if (role === 'gs') gs = raw.fields();
      else if (role === 'st') {
        setIndex++;
        // GS08 "4010" is no version (an envelope error): the set is read in ISA12's
        open = openSet(
          registry,
          raw.fields()[0] ?? '',
          groupVersion(gs[7] ?? '', isa[11] ?? ''),
          raw.index,
          options,
          options.onDocument ? undefined : checking,
        );
        state = open ? 'open' : 'unsupported';
      } else if (role === 'body' && open)
        // validating only, a segment is decoded when a check needs its values (see byte-check.ts)
        open.walker.push(options.onDocument ? raw.toSegment('') : new LazySegment(raw));
      inner.onSegment?.(raw, role);
    },
    onSetTooLong(result: TransactionResult) {
      if (state === 'open') state = 'refused';
      open = undefined; // what was gathered goes, and nothing more is
      inner.onSetTooLong?.(result);
    },
    onTransaction(result: TransactionResult) {
      const add = (i: X12Issue, force = false) => {
        if (keepIssue(result, i, MAX_ISSUES_PER_SET, force)) inner.onIssue?.(i);
      };
      if (state === 'unsupported') add(notSupported(result), true);
      if (open) {
        const { map, walker, checker, found, root } = open;
        walker.end();
        checker.finish(map, walker.seen + 2);
        for (const i of found.issues) add(i);
        if (found.omitted) addOmitted(result, found.omitted);
        if (options.onDocument) {
          options.onDocument({
            document: canonical(result, isa, gs, map, root),
            groupControl: gs[5] ?? '',
            interchangeIndex,
            setIndex,
            map: `${map.transactionSet}/${map.version}${map.partner ? ` (${map.partner})` : ''}`,
            issues: result.issues,
            status: issueStatus(result),
          });
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
 * The walker, checker and (when translating) document of a set whose map is known. With `reuse`
 * (validating only), a guide's walker and checker are made once and reset for each set: a file of
 * small sets paid more for a walker and checker per set than for walking the set.
 */
function openSet(
  registry: MapRegistry,
  setId: string,
  gs08: string,
  stIndex: number,
  options: GuideOptions,
  reuse?: Map<TransactionMap, OpenSet>,
): OpenSet | undefined {
  const choice = registry.chooseVersion(setId, gs08);
  if (!choice) return undefined;
  const { version } = choice;
  // before 004010 dates had six digits: read an 003xxx document with YYMMDD dates whatever map it uses
  const map = registry.get(setId, version, options.partner, gs08 < '004' ? 'YYMMDD' : undefined);
  let set = reuse?.get(map);
  if (set) {
    set.walker.reset();
    set.checker.reset();
    set.found.issues = [];
    set.found.omitted = undefined;
    set.stIndex = stIndex;
  } else {
    set = newSet(registry, map, stIndex, options);
    reuse?.set(map, set);
  }
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

function newSet(registry: MapRegistry, map: TransactionMap, stIndex: number, options: GuideOptions): OpenSet {
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
  const root: JsonObject = {};
  const builder = options.onDocument ? documentBuilder(root, { pack: options.packLists }) : undefined;
  const visitor: WalkVisitor = builder
    ? {
        enterLoop: (l, s, p) => builder.enterLoop!(l, s, p),
        exitLoop: (l) => builder.exitLoop!(l),
        segment: (n, s, p, o) => {
          checker.segment!(n, s, p, o);
          builder.segment!(n, s, p, o);
        },
        unmatched: (s, p) => builder.unmatched!(s, p),
        issue: (i) => checker.issue!(i),
      }
    : checker;
  const set: OpenSet = {
    map,
    walker: new Walker(map, visitor, (id) => registry.knowsSegment(id)),
    checker,
    found,
    root,
    stIndex,
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

function canonical(
  result: TransactionResult,
  isa: string[],
  gs: string[],
  map: TransactionMap,
  root: JsonObject,
): CanonicalDocument {
  return {
    transactionSet: result.setId,
    version: gs[7] ?? '',
    controlNumber: result.control,
    ...(result.implementationRef ? { implementationReference: result.implementationRef } : {}),
    sender: { qualifier: isa[4] ?? '', id: (isa[5] ?? '').trim(), applicationCode: gs[1] ?? '' },
    receiver: { qualifier: isa[6] ?? '', id: (isa[7] ?? '').trim(), applicationCode: gs[2] ?? '' },
    [map.document]: root,
  };
}
