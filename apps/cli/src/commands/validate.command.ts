import { guideHandler } from '@edi/mapping';
import { InterchangeResult, X12Issue, readX12 } from '@edi/x12';
import { maxSegments, openInput, progress } from '../io';
import { openMaps } from '../maps';

/** `edi validate FILE`: envelopes, syntax and each set's guide; one line per problem; exit 1 when any is an error. */
export async function validateCommand(
  file: string,
  opts: { json?: boolean; partner?: string; maps?: string; envelopeOnly?: boolean; maxSegments?: string },
): Promise<number> {
  const maxSegmentsPerSet = maxSegments(opts.maxSegments);
  const { stream, size } = openInput(file);
  const issues: X12Issue[] = [];
  const summary = { interchanges: 0, groups: 0, transactions: 0 };
  const shown = progress(size);
  const handler = {
    onIssue: (i: X12Issue) => {
      issues.push(i);
      if (!opts.json) process.stdout.write(formatIssue(file, i) + '\n');
    },
    onTransaction: () => void summary.transactions++,
    onGroup: () => void summary.groups++,
    onInterchange: (r: InterchangeResult) => void (r.header && summary.interchanges++),
  };
  await readX12(
    stream,
    opts.envelopeOnly ? handler : guideHandler(openMaps(opts.maps), handler, { partner: opts.partner }),
    {
      onChunk: shown,
      keepTransactions: false,
      maxSegmentsPerSet,
    },
  );
  const valid = !issues.some((i) => i.severity === 'error');
  if (opts.json) {
    process.stdout.write(JSON.stringify({ file, valid, ...summary, issues }, null, 2) + '\n');
  } else if (valid) {
    const s = summary;
    process.stderr.write(
      `${file}: valid (${s.interchanges} interchanges, ${s.groups} groups, ${s.transactions} transaction sets)\n`,
    );
  }
  return valid ? 0 : 1;
}

/** `FILE: segment 12 (SE, position 10) element 1: AK5 4 error: SE01 says …` */
export function formatIssue(file: string, i: X12Issue): string {
  const where: string[] = [];
  if (i.segmentIndex !== undefined) where.push(`segment ${i.segmentIndex}`);
  const detail = [i.segmentId, i.position !== undefined ? `position ${i.position}` : undefined]
    .filter(Boolean)
    .join(', ');
  if (detail) where.push(`(${detail})`);
  if (i.element !== undefined) where.push(`element ${i.element}${i.component ? `-${i.component}` : ''}`);
  return `${file}: ${where.join(' ') || 'input'}: ${codeOf(i)} ${i.severity}: ${i.message}`;
}

function codeOf(i: X12Issue): string {
  const codes: string[] = [];
  if (i.ta1) codes.push(`TA1 ${i.ta1}`);
  if (i.ak9) codes.push(`AK9 ${i.ak9}`);
  if (i.ak5) codes.push(`AK5 ${i.ak5}`);
  if (i.ak3) codes.push(`AK3 ${i.ak3}`);
  if (i.ak4) codes.push(`AK4 ${i.ak4}`);
  return codes.length ? `[${codes.join(', ')}] ${i.code}` : i.code;
}
