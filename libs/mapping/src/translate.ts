import { DomainError } from '@edi/contracts';
import {
  envelopeStamp,
  isaHeader,
  readX12Sync,
  type DelimiterChars,
  type GroupNode,
  type InterchangeNode,
  type InterchangeResult,
  type Segment,
  type TransactionNode,
  type ValidationReport,
  type X12Document,
  type X12Issue,
} from '@edi/x12';
import { guideHandler, type CanonicalDocument, type Translation } from './guide-handler';
import type { MapRegistry } from './loader';
import { documentSegments } from './to-x12';

/** X12 in, canonical documents out, with envelope and guide issues per transaction set. */
export function translateX12(
  input: Buffer | string,
  registry: MapRegistry,
  options: { partner?: string } = {},
): { translations: Translation[]; report: ValidationReport } {
  const translations: Translation[] = [];
  const interchanges: InterchangeResult[] = [];
  const issues: X12Issue[] = [];
  readX12Sync(
    input,
    guideHandler(
      registry,
      { onInterchange: (r) => void interchanges.push(r), onIssue: (i) => void issues.push(i) },
      { ...options, onDocument: (t) => void translations.push(t) },
    ),
  );
  return {
    translations,
    report: { valid: !issues.some((i) => i.severity === 'error'), interchanges, issues },
  };
}

export interface EnvelopeOptions {
  /** Defaults to each document's own sender/receiver. */
  sender?: { qualifier: string; id: string; applicationCode?: string };
  receiver?: { qualifier: string; id: string; applicationCode?: string };
  interchangeControl?: number;
  groupControl?: number;
  partner?: string;
  delimiters?: Partial<DelimiterChars>;
  lineEnding?: string;
  now?: Date;
  usage?: 'P' | 'T';
}

const FUNCTIONAL_GROUPS: Record<string, string> = {
  '850': 'PO',
  '855': 'PR',
  '856': 'SH',
  '810': 'IN',
  '997': 'FA',
  '999': 'FA',
};

/**
 * Canonical documents to X12 with envelopes: one interchange per sender/receiver pair, one group
 * per version and functional group, ST02 from each document's controlNumber (or 0001, 0002…).
 */
export function buildX12(
  documents: CanonicalDocument[],
  registry: MapRegistry,
  options: EnvelopeOptions = {},
): X12Document {
  const ctx: BuildContext = {
    registry,
    options,
    d: { element: '*', component: '>', repetition: '^', segment: '~', ...options.delimiters },
    now: envelopeStamp(options.now ?? new Date()),
    isa13: options.interchangeControl ?? 1,
    gs06: options.groupControl ?? 1,
  };
  const interchanges = [...byInterchange(documents, options).values()].map((docs) => interchange(ctx, docs));
  return { interchanges };
}

/** What every envelope of one buildX12 call shares; the counters run on across interchanges. */
interface BuildContext {
  registry: MapRegistry;
  options: EnvelopeOptions;
  d: DelimiterChars;
  now: ReturnType<typeof envelopeStamp>;
  isa13: number;
  gs06: number;
}

function byInterchange(
  documents: CanonicalDocument[],
  options: EnvelopeOptions,
): Map<string, CanonicalDocument[]> {
  const byPair = new Map<string, CanonicalDocument[]>();
  for (const doc of documents) {
    const s = options.sender ?? doc.sender;
    const r = options.receiver ?? doc.receiver;
    // one interchange per sender/receiver pair and ISA version (00401 or 00501)
    const key = JSON.stringify([s.qualifier, s.id, r.qualifier, r.id, (doc.version || '004010') >= '005']);
    appendTo(byPair, key, doc);
  }
  return byPair;
}

function interchange(ctx: BuildContext, docs: CanonicalDocument[]): InterchangeNode {
  const { options, d } = ctx;
  const first = docs[0]!;
  const s = options.sender ?? first.sender;
  const r = options.receiver ?? first.receiver;
  const isaVersion = (first.version || '004010') >= '005' ? '00501' : '00401';
  const control = String(ctx.isa13++).padStart(9, '0');
  const byGroup = new Map<string, CanonicalDocument[]>();
  for (const doc of docs) {
    appendTo(byGroup, `${doc.version}|${FUNCTIONAL_GROUPS[doc.transactionSet] ?? 'XX'}`, doc);
  }
  const groups = [...byGroup].map(([key, groupDocs]) => group(ctx, key, groupDocs, s, r));
  return {
    // ISA11 carries the repetition separator only from 00402 on; before that it is "U"
    delimiters: isaVersion >= '00402' ? d : { ...d, repetition: undefined },
    lineEnding: options.lineEnding ?? '\n',
    header: isaHeader({
      senderQualifier: s.qualifier,
      senderId: s.id,
      receiverQualifier: r.qualifier,
      receiverId: r.id,
      now: options.now ?? new Date(),
      isa11: isaVersion >= '00402' ? (d.repetition ?? '^') : 'U',
      version: isaVersion,
      control: Number(control),
      usage: options.usage ?? 'P',
      component: d.component,
    }),
    groups,
    trailer: seg('IEA', String(groups.length), control),
  };
}

type Party = NonNullable<EnvelopeOptions['sender']>;

function group(ctx: BuildContext, key: string, docs: CanonicalDocument[], s: Party, r: Party): GroupNode {
  const [gsVersion = '004010', functionalId = 'XX'] = key.split('|');
  const groupControl = String(ctx.gs06++);
  const transactions = docs.map((doc, n) => transaction(doc, ctx.registry, n, ctx.options.partner));
  return {
    header: seg(
      'GS',
      functionalId,
      s.applicationCode || s.id,
      r.applicationCode || r.id,
      ctx.now.date8,
      ctx.now.time,
      groupControl,
      'X',
      gsVersion,
    ),
    transactions,
    trailer: seg('GE', String(transactions.length), groupControl),
  };
}

function transaction(
  doc: CanonicalDocument,
  registry: MapRegistry,
  n: number,
  partner?: string,
): TransactionNode {
  const version = registry.resolveVersion(doc.transactionSet, doc.version);
  if (!version) throw new DomainError('unprocessable', `no map for transaction set ${doc.transactionSet}`);
  const map = registry.get(doc.transactionSet, version, partner);
  const body = doc[map.document];
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new DomainError(
      'unprocessable',
      `document has no "${map.document}" object for a ${doc.transactionSet}`,
    );
  const segments = documentSegments(map, body);
  const control = doc.controlNumber || String(n + 1).padStart(4, '0');
  const implRef = typeof doc.implementationReference === 'string' ? [doc.implementationReference] : [];
  return {
    header: seg('ST', doc.transactionSet, control, ...implRef),
    segments,
    trailer: seg('SE', String(segments.length + 2), control),
  };
}

/** Adds in place: copying the list each time would be quadratic in the number of documents. */
function appendTo<T>(lists: Map<string, T[]>, key: string, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

function seg(id: string, ...elements: string[]): Segment {
  return { id, elements };
}
