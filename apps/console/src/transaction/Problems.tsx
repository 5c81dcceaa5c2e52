import type { Issue, RawSegment } from '../api';
import { focusSegment, locationText, sortIssues } from './issues';

export function Problems({ issues, segments }: { issues: Issue[]; segments: RawSegment[] }) {
  return (
    <section className="panel">
      <h2>Problems</h2>
      {issues.length === 0 ? (
        <p className="muted">No problems found.</p>
      ) : (
        <ul className="issues">
          {sortIssues(issues).map((issue, i) => (
            <IssueItem key={i} issue={issue} location={locationText(issue, segments)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function IssueItem({ issue, location }: { issue: Issue; location: string | null }) {
  const position = issue.position;
  return (
    <li className={`issue issue--${issue.severity}`}>
      <span className="issue__severity">{issue.severity === 'error' ? 'Error' : 'Warning'}</span>
      <div className="issue__body">
        <p className="issue__plain">{issue.plain}</p>
        <p className="issue__tech">
          {issue.message} <code>{issue.code}</code>
          {issue.value !== undefined && issue.value !== '' && (
            <>
              {' '}
              · value <code>{issue.value}</code>
            </>
          )}
        </p>
        {location !== null && position !== undefined && (
          <button type="button" className="link-button" onClick={() => focusSegment(position)}>
            {location}
          </button>
        )}
      </div>
    </li>
  );
}
