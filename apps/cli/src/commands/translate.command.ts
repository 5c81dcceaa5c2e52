import { DocumentBytes, buildX12, guideHandler, textHandler, type CanonicalDocument } from '@edi/mapping';
import { readX12, serialize, type X12Issue } from '@edi/x12';
import { XMLBuilder } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { formatIssue } from './validate.command';
import { jsonChunks } from '../json-chunks';
import { xmlChunks } from '../xml-chunks';
import {
  OutputBuffer,
  UsageError,
  commandClock,
  controlNumber,
  maxSegments,
  openInput,
  progress,
} from '../io';
import { openMaps } from '../maps';

export interface TranslateFlags {
  to?: 'json' | 'x12';
  format?: 'json' | 'xml';
  set?: string;
  partner?: string;
  maps?: string;
  sender?: string;
  receiver?: string;
  control?: string;
  groupControl?: string;
  version?: string;
  maxSegments?: string;
}

/**
 * Sets of up to this many segments are written with one JSON.stringify: their text is a few
 * hundred KB at most, and the native writer is several times faster than jsonChunks' walk.
 */
const WHOLE_SET = 1000;

/** `edi translate FILE`: X12 to canonical JSON (or XML); `--to x12`: canonical JSON back to X12 with envelopes. */
export async function translateCommand(file: string, flags: TranslateFlags): Promise<number> {
  if (flags.to === 'x12') return toX12(file, flags);
  return flags.format === 'xml' ? toXml(file, flags) : toJson(file, flags);
}

/** What translate reports on stderr, and whether any of it was an error (exit 1). */
function issuePrinter(file: string): { onIssue: (i: X12Issue) => void; errors: () => number } {
  let errors = 0;
  return {
    onIssue: (i) => {
      if (i.severity === 'error') errors++;
      process.stderr.write(formatIssue(file, i) + '\n');
    },
    errors: () => errors,
  };
}

/**
 * X12 to JSON: each document's text is written during the walk into large byte chunks (see
 * textHandler), handed to stdout at each input chunk's end, where the stream's back-pressure is
 * kept; a set the text writer hands back comes as objects and is written as before.
 */
async function toJson(file: string, flags: TranslateFlags): Promise<number> {
  const registry = openMaps(flags.maps);
  const maxSegmentsPerSet = maxSegments(flags.maxSegments);
  const { stream, size } = openInput(file);
  const writer = new JsonWriter(process.stdout);
  const shown = progress(size);
  const issues = issuePrinter(file);
  await writer.start();
  await readX12(
    stream,
    textHandler(
      registry,
      { onIssue: issues.onIssue },
      {
        partner: flags.partner,
        out: writer.bytes,
        onDocument: (document, segments) => writer.document(document, segments),
      },
    ),
    {
      onChunk: async (n) => {
        shown(n);
        await writer.flush();
      },
      keepTransactions: false,
      maxSegmentsPerSet,
    },
  );
  await writer.end();
  return issues.errors() ? 1 : 0;
}

/**
 * The JSON array on stdout: documents as text in DocumentBytes, and the few that come as objects
 * in their place among them. onDocument cannot wait for stdout: a large object document waits (as
 * an object, not a string) until the next chunk boundary, where it is written in pieces with
 * back-pressure, and what follows it waits behind it so the order holds.
 */
class JsonWriter {
  readonly bytes = new DocumentBytes();
  private readonly out: OutputBuffer;
  /** Committed bytes and object documents waiting, in order. */
  private pending: Array<Buffer[] | CanonicalDocument> = [];

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.out = new OutputBuffer(stream);
  }

  async start(): Promise<void> {
    this.out.write('[');
    await this.out.flush(true);
  }

  document(document: CanonicalDocument, segments: number): void {
    this.bytes.begin();
    if (!this.pending.length && segments <= WHOLE_SET) {
      this.bytes.utf8(JSON.stringify(document, null, 2));
      this.bytes.commit();
      return;
    }
    this.bytes.commit(); // its separator
    this.pending.push(this.bytes.take(), document);
  }

  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const item of pending) {
      if (Array.isArray(item)) this.send(item);
      else {
        await this.out.pipe(jsonChunks(item));
        await this.out.flush(true);
      }
    }
    this.send(this.bytes.take());
    await this.out.flush();
  }

  async end(): Promise<void> {
    await this.flush();
    this.out.write('\n]\n');
    await this.out.flush(true);
  }

  private send(pieces: Buffer[]): void {
    const last = pieces.length - 1;
    for (let i = 0; i < last; i++) this.stream.write(pieces[i]!);
    // the stream writes in order: done with the last piece, it is done with all, and their chunks are written again
    if (last >= 0) this.stream.write(pieces[last]!, () => this.bytes.release(pieces));
  }
}

/** X12 to XML: the documents as objects, each written in pieces at the next chunk boundary. */
async function toXml(file: string, flags: TranslateFlags): Promise<number> {
  const registry = openMaps(flags.maps);
  const maxSegmentsPerSet = maxSegments(flags.maxSegments);
  const { stream, size } = openInput(file);
  const out = new OutputBuffer(process.stdout);
  const builder = new XMLBuilder({ format: true, ignoreAttributes: true, arrayNodeName: 'document' });
  const shown = progress(size);
  const issues = issuePrinter(file);
  let pending: CanonicalDocument[] = [];
  const writePending = async () => {
    const documents = pending;
    pending = [];
    for (const document of documents) {
      await out.pipe(xmlChunks(builder, document));
      await out.flush();
    }
  };
  out.write('<?xml version="1.0" encoding="UTF-8"?>\n<documents>\n');
  await readX12(
    stream,
    guideHandler(
      registry,
      { onIssue: issues.onIssue },
      { partner: flags.partner, packLists: true, onDocument: (t) => void pending.push(t.document) },
    ),
    {
      onChunk: async (n) => {
        shown(n);
        await writePending();
        await out.flush();
      },
      keepTransactions: false,
      maxSegmentsPerSet,
    },
  );
  await writePending();
  out.write('</documents>\n');
  await out.flush(true);
  return issues.errors() ? 1 : 0;
}

function toX12(file: string, flags: TranslateFlags): number {
  const registry = openMaps(flags.maps);
  const parsed = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8')) as unknown;
  const list = (Array.isArray(parsed) ? parsed : [parsed]) as CanonicalDocument[];
  const party = (flag: string, v?: string) => {
    if (!v) return undefined;
    const m = /^([0-9A-Z]{2}):(.{1,15})$/i.exec(v);
    if (!m) throw new UsageError(`${flag} must be QUALIFIER:ID, e.g. ZZ:DEMOSUPPLIER`);
    return { qualifier: m[1]!.toUpperCase(), id: m[2]!, applicationCode: m[2]! };
  };
  const sender = party('--sender', flags.sender);
  const receiver = party('--receiver', flags.receiver);
  const documents = list.map((doc, n) => {
    const set = doc.transactionSet ?? flags.set;
    if (!set) throw new UsageError(`document ${n + 1} has no transactionSet: give --set`);
    if (flags.set && doc.transactionSet && doc.transactionSet !== flags.set) {
      throw new UsageError(`document ${n + 1} is a ${doc.transactionSet}, not a ${flags.set}`);
    }
    if (!(doc.sender ?? sender) || !(doc.receiver ?? receiver))
      throw new UsageError(`document ${n + 1} has no sender/receiver: give --sender and --receiver`);
    return {
      ...doc,
      transactionSet: set,
      version: doc.version ?? flags.version ?? '004010',
      controlNumber: doc.controlNumber ?? '',
    };
  });
  const x12 = buildX12(documents, registry, {
    sender,
    receiver,
    partner: flags.partner,
    interchangeControl: controlNumber('--control', flags.control),
    groupControl: controlNumber('--group-control', flags.groupControl),
    now: commandClock(),
  });
  process.stdout.write(serialize(x12));
  return 0;
}
