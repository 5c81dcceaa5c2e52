import { buildX12, guideHandler, type CanonicalDocument } from '@edi/mapping';
import { readX12, serialize } from '@edi/x12';
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
  return flags.to === 'x12' ? toX12(file, flags) : toJson(file, flags);
}

async function toJson(file: string, flags: TranslateFlags): Promise<number> {
  const registry = openMaps(flags.maps);
  const maxSegmentsPerSet = maxSegments(flags.maxSegments);
  const { stream, size } = openInput(file);
  const out = new OutputBuffer(process.stdout);
  const xml = flags.format === 'xml';
  const builder = new XMLBuilder({ format: true, ignoreAttributes: true, arrayNodeName: 'document' });
  const shown = progress(size);
  let errors = 0;
  /** Body segments of the set being read: how large its document can be. */
  let segments = 0;
  // onDocument cannot wait for stdout. A set of up to WHOLE_SET segments is written at once, with
  // the native JSON.stringify, into the output buffer; a larger one waits here (as an object, not a
  // string) until the next chunk boundary, where it is written in pieces with back-pressure, and
  // the sets after it wait behind it so the order holds
  let pending: CanonicalDocument[] = [];
  let written = 0;
  const separator = () => `${written++ ? ',' : ''}\n`;
  const writePending = async () => {
    const documents = pending;
    pending = [];
    for (const document of documents) {
      if (xml) await out.pipe(xmlChunks(builder, document));
      else {
        out.write(separator());
        await out.pipe(jsonChunks(document));
      }
      await out.flush();
    }
  };
  const onDocument = (document: CanonicalDocument) => {
    if (xml || pending.length || segments > WHOLE_SET) pending.push(document);
    else out.write(separator() + JSON.stringify(document, null, 2));
  };
  out.write(xml ? '<?xml version="1.0" encoding="UTF-8"?>\n<documents>\n' : '[');
  await readX12(
    stream,
    guideHandler(
      registry,
      {
        onSegment: (_raw, role) => {
          if (role === 'st') segments = 0;
          else if (role === 'body') segments++;
        },
        onIssue: (i) => {
          if (i.severity === 'error') errors++;
          process.stderr.write(formatIssue(file, i) + '\n');
        },
      },
      {
        partner: flags.partner,
        packLists: true,
        onDocument: (t) => onDocument(t.document),
      },
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
  out.write(xml ? '</documents>\n' : '\n]\n');
  await out.flush(true);
  return errors ? 1 : 0;
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
