import { Fragment, type ReactNode } from 'react';
import type { Issue, RawSegment, TransactionDetail } from '../api';
import { segmentAnchor } from './issues';

interface Props {
  segments: RawSegment[];
  issues: Issue[];
  delimiters: TransactionDetail['delimiters'];
}

/** The set as written, one segment a line, with the failing elements marked where they stand. */
export function RawX12({ segments, issues, delimiters }: Props) {
  const element = delimiters?.element ?? '*';
  // A newline terminator already shows as the line break; only a visible one is worth printing.
  const terminator = (delimiters?.segment ?? '~').trim();
  return (
    <section className="panel">
      <h2>Raw X12</h2>
      {segments.length === 0 ? (
        <p className="muted">No segments were kept for this transaction.</p>
      ) : (
        <ol className="raw">
          {segments.map((segment) => (
            <SegmentLine
              key={segment.position}
              segment={segment}
              issues={issues.filter((i) => i.position === segment.position)}
              separator={element}
              terminator={terminator}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

interface LineProps {
  segment: RawSegment;
  issues: Issue[];
  separator: string;
  terminator: string;
}

function SegmentLine({ segment, issues, separator, terminator }: LineProps) {
  const hasError = issues.some((i) => i.severity === 'error');
  const hasWarning = !hasError && issues.length > 0;
  const classes = ['segment', hasError && 'segment--error', hasWarning && 'segment--warning'].filter(Boolean);
  const missing = issues.filter((i) => i.element !== undefined && i.element > segment.elements.length);
  return (
    <li
      id={segmentAnchor(segment.position)}
      value={segment.position}
      tabIndex={-1}
      className={classes.join(' ')}
      aria-invalid={hasError ? true : undefined}
    >
      <span className="segment__text">
        {segment.id}
        {segment.elements.map((value, i) => (
          <Fragment key={i}>
            {separator}
            {markElement(value, issueAt(issues, i + 1))}
          </Fragment>
        ))}
        {missing.map((issue, i) => (
          <Fragment key={`missing-${i}`}>{markElement('', issue)}</Fragment>
        ))}
        {terminator}
      </span>
      {issues.map((issue, i) => (
        <span key={i} className={`segment__reason segment__reason--${issue.severity}`}>
          {issue.plain}
        </span>
      ))}
    </li>
  );
}

/** The worst issue about one element: an error wins over a warning. */
function issueAt(issues: Issue[], element: number): Issue | undefined {
  const here = issues.filter((i) => i.element === element);
  return here.find((i) => i.severity === 'error') ?? here[0];
}

function markElement(value: string, issue: Issue | undefined): ReactNode {
  if (!issue) return value;
  const kind = issue.severity === 'error' ? 'element-error' : 'element-warning';
  return (
    <mark className={value === '' ? `${kind} element-empty` : kind} title={issue.plain}>
      {value}
    </mark>
  );
}
