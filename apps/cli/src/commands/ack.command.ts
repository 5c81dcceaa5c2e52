import { guideHandler } from '@edi/mapping';
import { AckOptions, InterchangeResult, buildAcks, readX12, serialize } from '@edi/x12';
import { commandClock, controlNumber, maxSegments, openInput, progress } from '../io';
import { openMaps } from '../maps';

export interface AckFlags {
  control?: string;
  groupControl?: string;
  type?: 'auto' | '997' | '999';
  ta1?: 'auto' | 'always' | 'never';
  partner?: string;
  maps?: string;
  envelopeOnly?: boolean;
  maxSegments?: string;
}

/** `edi ack FILE`: the TA1 / 997 / 999 the file deserves, as X12 on stdout. */
export async function ackCommand(file: string, flags: AckFlags): Promise<number> {
  const maxSegmentsPerSet = maxSegments(flags.maxSegments);
  const { stream, size } = openInput(file);
  const results: InterchangeResult[] = [];
  // guide errors go into the sets' results, so the 997/999 carries AK3/AK4 (IK3/IK4) for them too
  const collect = { onInterchange: (r: InterchangeResult) => void results.push(r) };
  const handler = flags.envelopeOnly
    ? collect
    : guideHandler(openMaps(flags.maps), collect, { partner: flags.partner });
  await readX12(stream, handler, { onChunk: progress(size), maxSegmentsPerSet });
  const options: AckOptions = {
    interchangeControl: controlNumber('--control', flags.control),
    groupControl: controlNumber('--group-control', flags.groupControl),
    functionalAck: flags.type ?? 'auto',
    ta1: flags.ta1 ?? 'auto',
    now: commandClock(),
  };
  const doc = buildAcks(results, options);
  if (!doc.interchanges.length) {
    const unreadable = results.find((r) => !r.header);
    process.stderr.write(
      unreadable
        ? `edi ack: nothing to answer: ${unreadable.issues[0]?.message}\n`
        : 'edi ack: nothing to acknowledge\n',
    );
    return unreadable ? 1 : 0;
  }
  process.stdout.write(serialize(doc));
  return 0;
}
