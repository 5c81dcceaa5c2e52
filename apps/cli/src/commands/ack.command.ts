import { AckOptions, InterchangeResult, buildAcks, readX12, serialize } from '@edi/x12';
import { openInput, progress } from '../io';

export interface AckFlags {
  control?: string;
  groupControl?: string;
  type?: 'auto' | '997' | '999';
  ta1?: 'auto' | 'always' | 'never';
}

/** `edi ack FILE`: the TA1 / 997 / 999 the file deserves, as X12 on stdout. */
export async function ackCommand(file: string, flags: AckFlags): Promise<number> {
  const { stream, size } = openInput(file);
  const results: InterchangeResult[] = [];
  await readX12(stream, { onInterchange: (r) => void results.push(r) }, { onChunk: progress(size) });
  const options: AckOptions = {
    interchangeControl: flags.control ? Number(flags.control) : 1,
    groupControl: flags.groupControl ? Number(flags.groupControl) : 1,
    functionalAck: flags.type ?? 'auto',
    ta1: flags.ta1 ?? 'auto',
    now: process.env.EDI_NOW ? new Date(process.env.EDI_NOW) : new Date(),
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
