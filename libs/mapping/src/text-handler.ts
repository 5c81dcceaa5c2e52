import type { EnvelopeHandler, RawSegment, Segment, TransactionResult } from '@edi/x12';
import { LazySegment } from './byte-check';
import {
  envelopeOf,
  guideHandler,
  type CanonicalDocument,
  type DocumentWriter,
  type OpenedSet,
  type SetDocument,
} from './guide-handler';
import type { DocumentBytes } from './json-bytes';
import type { MapRegistry } from './loader';
import type { TransactionMap } from './model';
import { TextBuilder } from './text-builder';
import { documentBuilder, type JsonObject } from './to-json';
import type { Walker, WalkVisitor } from './walk';

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
  const { out } = options;
  const documents: DocumentWriter = { open: (set) => new TextDocument(set, out) };
  return guideHandler(registry, inner, {
    partner: options.partner,
    documents,
    onDocument: (t, segments) => options.onDocument(t.document, segments),
  });
}

/**
 * One set's document, written as text until a write does not fit (see TextBuilder), then built
 * by documentBuilder: the set is handed over by a second walk of its segments so far into the
 * builder alone, which brings the builder to where the set's walk stands (the walk depends on the
 * segments only), and the rest of the walk goes on into it.
 */
class TextDocument implements SetDocument {
  /** Where the walk's calls go: the text writer, or the object builder that took over. */
  visitor: WalkVisitor = {};
  /** The text writer, until it hands the set over. */
  private text: TextBuilder | undefined;
  private root: JsonObject | undefined;
  /** The set's body segments, kept while the text writer may still hand the set over. */
  private segments: Segment[] = [];

  constructor(
    private readonly set: OpenedSet,
    private readonly out: DocumentBytes,
  ) {
    // the document's text starts with the envelope facts, then the body's key (the body follows as it is walked)
    const head = headOf(set.st, set.isa, set.gs, set.map);
    if (!head) {
      this.handOver(false);
      return;
    }
    out.begin();
    out.bytes(head.before, 0, head.before.length);
    out.utf8(JSON.stringify(set.st[1] ?? ''));
    out.bytes(head.after, 0, head.after.length);
    this.visitor = this.text = new TextBuilder(out);
  }

  push(raw: RawSegment, walker: Walker): void {
    const seg = new LazySegment(raw);
    const { text } = this;
    if (text) this.segments.push(seg);
    walker.push(seg);
    if (text && (text.failed || this.segments.length > TEXT_SET_MAX)) this.handOver(false);
  }

  end(result: TransactionResult): JsonObject | undefined {
    const { text, out } = this;
    // the text was started with the ST's control number and implementation reference: the SE's result must agree
    if (text && !text.failed && sameSt(this.set.st, result)) {
      text.finish();
      out.ascii('\n}');
      out.commit();
      return undefined;
    }
    if (text) this.handOver(true);
    return this.root;
  }

  drop(): void {
    if (this.text) this.out.rollback();
  }

  /** The set goes to documentBuilder from here on (`ended`: the set's walk ended too). */
  private handOver(ended: boolean): void {
    if (this.text) this.out.rollback();
    this.text = undefined;
    const root: JsonObject = {};
    const builder = documentBuilder(root, { pack: true });
    this.root = root;
    this.visitor = builder;
    if (this.segments.length || ended) {
      const again = this.set.walker(builder);
      for (const seg of this.segments) again.push(seg);
      if (ended) again.end();
    }
    this.segments = [];
  }
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
  const head = envelopeOf({ setId, control: '\u0000', implementationRef }, isa, gs);
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
