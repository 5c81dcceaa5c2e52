// the modules themselves, not the libraries' indexes: a small file's validation is mostly start-up
import { guideHandler } from '@edi/mapping/guide-handler';
import type { GroupResult, InterchangeResult, TransactionResult, X12Issue } from '@edi/x12';
import { groupRejected } from '@edi/x12/envelope-rules';
import { readX12 } from '@edi/x12/reader';
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
  let groupSets: TransactionResult[] = [];
  const handler = {
    onIssue: (i: X12Issue) => {
      issues.push(i);
      if (!opts.json) process.stdout.write(formatIssue(file, i) + '\n');
    },
    onTransaction: (t: TransactionResult) => {
      summary.transactions++;
      // Only what a group's verdict needs, the sets of the open group alone (the reader keeps none).
      groupSets.push({ ...t, issues: [] });
    },
    onGroup: (g: GroupResult) => {
      summary.groups++;
      for (const set of setsOfRejectedGroup(g, groupSets)) handler.onIssue(set);
      groupSets = [];
    },
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

/**
 * A group rejected for its own fault (AK9 R) takes none of its sets, as the service does and the 997
 * says (AK9 R, AK904 0), whatever each set's own check found: one line per set, so a set that was
 * fine on its own is not read as accepted.
 */
function setsOfRejectedGroup(g: GroupResult, sets: TransactionResult[]): X12Issue[] {
  if (!groupRejected(g)) return [];
  const why = g.issues
    .filter((i) => i.ak9 && i.severity === 'error')
    .map((i) => `${i.message} (AK905 ${i.ak9})`)
    .join('; ');
  return sets.map((t) => ({
    code: 'GROUP_REJECTED',
    severity: 'error',
    segmentId: 'ST',
    segmentIndex: t.segmentIndex,
    message:
      `transaction set ${t.setId} ${t.control} is rejected because its functional group GS06 ` +
      `${g.header.control || '(empty)'} is (AK9 R): ${why}; on its own it was ` +
      `${t.status === 'A' ? 'accepted' : t.status === 'E' ? 'accepted with errors' : 'rejected'}`,
  }));
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
