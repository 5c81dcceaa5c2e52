import { ApiError } from '../api';
import { errorText } from '../format';

/** Issues a 422 may carry beside its message (the edited X12 still fails validation). */
function issuesIn(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const details = error.details as { issues?: unknown } | undefined;
  if (!Array.isArray(details?.issues)) return [];
  return details.issues
    .map((i: unknown) => (i && typeof i === 'object' && 'plain' in i ? String(i.plain) : null))
    .filter((s): s is string => s !== null);
}

const REASONS: Record<number, string> = {
  403: 'Your role may not do this',
  409: 'The transaction changed meanwhile',
  422: 'The API refused the change',
};

/** An API refusal beside the form that caused it; the form keeps its text so it can be fixed. */
export function ApiProblem({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const reason = error instanceof ApiError ? REASONS[error.status] : undefined;
  const issues = issuesIn(error);
  return (
    <div role="alert" className="notice notice--error">
      <p>
        {reason ? `${reason}: ` : ''}
        {errorText(error)}
      </p>
      {issues.length > 0 && (
        <ul>
          {issues.map((text, i) => (
            <li key={i}>{text}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
