import type { X12Issue } from '@edi/x12';

/** AK3/IK3 segment codes in plain words. */
const SEGMENT_PROBLEMS: Record<string, string> = {
  '1': 'is not a segment this document can have',
  '2': 'is not expected here',
  '3': 'is required but missing',
  '4': 'repeats its loop more often than allowed',
  '5': 'occurs more often than allowed',
  '6': 'is not part of this kind of document',
  '7': 'is out of order',
};

/** AK4/IK4 element codes in plain words. */
const ELEMENT_PROBLEMS: Record<string, string> = {
  '1': 'is required but empty',
  '2': 'is required when a related element is filled, and it is empty',
  '3': 'is one element too many',
  '4': 'is too short',
  '5': 'is too long',
  '6': 'has characters or a format that is not allowed',
  '7': 'is not one of the allowed codes',
  '8': 'is not a valid date',
  '9': 'is not a valid time',
  '10': 'must be empty when a related element is filled',
  '12': 'repeats more often than allowed',
};

/**
 * A finding in words for someone who does not read X12 codes: where (line N of the set, which
 * segment and element) and what is wrong, with the bad value; the technical message stays beside it.
 */
export function explainIssue(issue: X12Issue): string {
  const where = issue.position
    ? `Line ${issue.position} (${issue.segmentId ?? 'segment'})`
    : issue.segmentId
      ? `The ${issue.segmentId} segment`
      : 'The document';
  const element =
    issue.segmentId && issue.element ? `${issue.segmentId}${String(issue.element).padStart(2, '0')}` : '';
  const value = issue.value ? ` — it holds '${issue.value}'` : '';
  if (issue.ak4 && element && ELEMENT_PROBLEMS[issue.ak4]) {
    // the checker's own words say what the value must be ("must be a whole number"); keep them
    const detail = issue.message.startsWith(element) ? issue.message.slice(element.length).trim() : '';
    const what = ['6', '7'].includes(issue.ak4) && detail ? detail : `${ELEMENT_PROBLEMS[issue.ak4]}${value}`;
    return `${where}: element ${element} ${what}.`;
  }
  if (issue.ak3 && issue.ak3 !== '8' && SEGMENT_PROBLEMS[issue.ak3])
    return `${where}: this segment ${SEGMENT_PROBLEMS[issue.ak3]}.`;
  return `${where}: ${issue.message}.`.replace(/\.\.$/, '.');
}
