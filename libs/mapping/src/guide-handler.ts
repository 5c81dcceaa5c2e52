import type {
  EnvelopeHandler,
  RawSegment,
  Segment,
  SegmentRole,
  TransactionResult,
  X12Issue,
} from '@edi/x12';
import type { MapRegistry } from './loader';
import { documentBuilder, type JsonObject } from './to-json';
import { guideChecker } from './validate';
import { walk } from './walk';

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
  /** Called with each translated transaction set, in order. */
  onDocument?: (t: Translation) => void;
}

/**
 * Wraps an envelope handler with guide validation and translation: it gathers each transaction
 * set's segments as they stream by (one set at a time in memory), checks them against the map of
 * their set and version, adds the issues to the set's result (so the 997/999 carries AK3/AK4) and
 * builds the canonical document.
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
  let st: Segment | undefined;
  let body: Segment[] = [];
  return {
    ...inner,
    onSegment(raw: RawSegment, role: SegmentRole) {
      if (role === 'isa') {
        isa = raw.fields();
        interchangeIndex++;
      } else if (role === 'gs') gs = raw.fields();
      else if (role === 'st') {
        setIndex++;
        st = raw.toSegment('');
        body = [];
      } else if (role === 'body' && st) body.push(raw.toSegment(''));
      inner.onSegment?.(raw, role);
    },
    onTransaction(result: TransactionResult) {
      if (st) translateOne(registry, result, isa, gs, body, options, inner, interchangeIndex, setIndex);
      st = undefined;
      body = [];
      inner.onTransaction?.(result);
    },
  };
}

function translateOne(
  registry: MapRegistry,
  result: TransactionResult,
  isa: string[],
  gs: string[],
  body: Segment[],
  options: GuideOptions,
  inner: EnvelopeHandler,
  interchangeIndex: number,
  setIndex: number,
): void {
  const gs08 = gs[7] ?? '';
  const version = registry.resolveVersion(result.setId, gs08);
  const add = (i: X12Issue) => {
    result.issues.push(i);
    inner.onIssue?.(i);
  };
  if (!version) {
    add({
      code: 'SET_NOT_SUPPORTED',
      severity: 'error',
      ak5: '1',
      segmentId: 'ST',
      segmentIndex: result.segmentIndex,
      position: 1,
      element: 1,
      value: result.setId,
      message: `transaction set ${result.setId} has no map in edi-maps/`,
    });
  } else {
    // before 004010 dates had six digits: read an 003xxx document with YYMMDD dates whatever map it uses
    const map = registry.get(result.setId, version, options.partner, gs08 < '004' ? 'YYMMDD' : undefined);
    const issues: X12Issue[] = [];
    const checker = guideChecker(issues);
    const root: JsonObject = {};
    const builder = documentBuilder(root);
    walk(
      map,
      body,
      {
        enterLoop: (l, s, p) => builder.enterLoop!(l, s, p),
        exitLoop: (l) => builder.exitLoop!(l),
        segment: (n, s, p, o) => {
          checker.segment!(n, s, p, o);
          builder.segment!(n, s, p, o);
        },
        unmatched: (s, p) => builder.unmatched!(s, p),
        issue: (i) => checker.issue!(i),
      },
      (id) => registry.knowsSegment(id),
    );
    checker.finish(map, body.length + 2);
    for (const i of issues)
      add({
        ...i,
        segmentIndex: i.position !== undefined ? result.segmentIndex + i.position - 1 : undefined,
      });
    const document: CanonicalDocument = {
      transactionSet: result.setId,
      version: gs08,
      controlNumber: result.control,
      ...(result.implementationRef ? { implementationReference: result.implementationRef } : {}),
      sender: { qualifier: isa[4] ?? '', id: (isa[5] ?? '').trim(), applicationCode: gs[1] ?? '' },
      receiver: { qualifier: isa[6] ?? '', id: (isa[7] ?? '').trim(), applicationCode: gs[2] ?? '' },
      [map.document]: root,
    };
    options.onDocument?.({
      document,
      groupControl: gs[5] ?? '',
      interchangeIndex,
      setIndex,
      map: `${map.transactionSet}/${map.version}${map.partner ? ` (${map.partner})` : ''}`,
      issues: result.issues,
      status: statusOf(result.issues),
    });
  }
  result.status = statusOf(result.issues);
}

function statusOf(issues: X12Issue[]): TransactionResult['status'] {
  return issues.some((i) => i.severity === 'error') ? 'R' : issues.length ? 'E' : 'A';
}
