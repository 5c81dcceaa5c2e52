import { CodeBlock } from '../components/CodeBlock';
import { useState } from 'react';
import type { OutboundDoc, TransactionDetail } from '../api';
import { Link } from '../components/Link';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime } from '../format';
import { paths } from '../router';

type Props = Pick<TransactionDetail, 'outbound' | 'answers' | 'resubmissions'> & {
  resubmittedFrom: string | null;
};

/** What went back to the partner, and how this version relates to the others. */
export function Answers({ outbound, answers, resubmissions, resubmittedFrom }: Props) {
  const nothing = !outbound.length && !answers.length && !resubmissions.length && !resubmittedFrom;
  return (
    <section className="panel">
      <h2>Acknowledgments and answers</h2>
      {nothing && <p className="muted">Nothing has gone out for this transaction yet.</p>}
      {resubmittedFrom && (
        <p>
          <Link href={paths.transaction(resubmittedFrom)}>Resubmitted from</Link>{' '}
          <span className="muted">an earlier version, which is kept unchanged.</span>
        </p>
      )}
      {resubmissions.length > 0 && (
        <ul className="plain-list">
          {resubmissions.map((r) => (
            <li key={r.id}>
              <Link href={paths.transaction(r.id)}>New version: {r.status}</Link>{' '}
              <span className="muted small">{formatDateTime(r.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      {answers.length > 0 && (
        <>
          <h3>Answers</h3>
          <ul className="plain-list">
            {answers.map((a) => (
              <li key={a.id}>
                <Link href={paths.transaction(a.id)} className="mono">
                  {a.setId}
                </Link>{' '}
                <StatusBadge status={a.status} />{' '}
                <span className="muted small">{formatDateTime(a.createdAt)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {outbound.length > 0 && (
        <>
          <h3>Sent documents</h3>
          <ul className="plain-list">
            {outbound.map((doc) => (
              <li key={doc.id}>
                <OutboundItem doc={doc} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The X12 is drawn only once opened: a page of answers need not carry every document's text. */
function OutboundItem({ doc }: { doc: OutboundDoc }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="outbound" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <span className="mono">
          {doc.kind} {doc.controlNumber}
        </span>{' '}
        · {doc.channel} · <span className="outbound__status">{doc.status}</span> ·{' '}
        <span className="muted">{formatDateTime(doc.createdAt)}</span>
      </summary>
      {open && <CodeBlock text={doc.x12} />}
      {open && doc.deliveries.length > 0 && (
        <ol className="deliveries">
          {doc.deliveries.map((d) => (
            <li key={d.attempt}>
              Attempt {d.attempt}: {d.ok ? 'delivered' : 'failed'}
              {d.statusCode !== null && ` (HTTP ${d.statusCode})`} at {formatDateTime(d.at)}
              {d.detail && <span className="muted"> — {d.detail}</span>}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
