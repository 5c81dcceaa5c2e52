import type { ReactNode } from 'react';
import { NEEDS_REVIEW, type Dashboard } from '../api';
import { Link } from '../components/Link';
import { StatusBadge } from '../components/StatusBadge';
import { directionLabel, formatAge, formatCount, formatDateTime, plural } from '../format';
import { paths } from '../router';

export function Card({ title, wide, children }: { title: string; wide?: boolean; children: ReactNode }) {
  const id = `card-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className={wide ? 'card card--wide' : 'card'} aria-labelledby={id}>
      <h2 id={id} className="card__title">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** Every status is a way into the list already filtered by it. */
export function StatusCard({ byStatus }: Pick<Dashboard, 'byStatus'>) {
  if (byStatus.length === 0) return <p className="muted">No documents in this window.</p>;
  return (
    <ul className="status-list">
      {byStatus.map(({ status, count }) => (
        <li key={status}>
          <Link href={paths.transactions({ status })} className="status-list__link">
            <StatusBadge status={status} />
            <span className="status-list__count">{formatCount(count)}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function SetsTable({ bySet }: Pick<Dashboard, 'bySet'>) {
  if (bySet.length === 0) return <p className="muted">No documents in this window.</p>;
  return (
    <div className="table-wrap">
      <table className="table table--compact">
        <caption className="visually-hidden">Documents by set and direction</caption>
        <thead>
          <tr>
            <th scope="col">Set</th>
            <th scope="col">Direction</th>
            <th scope="col" className="num">
              Documents
            </th>
          </tr>
        </thead>
        <tbody>
          {bySet.map((row) => (
            <tr key={`${row.setId}-${row.direction}`}>
              <th scope="row">
                <Link href={paths.transactions({ set: row.setId, direction: row.direction })}>
                  {row.setId}
                </Link>
              </th>
              <td>{directionLabel(row.direction)}</td>
              <td className="num">{formatCount(row.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PartnersWithErrors({ partners }: { partners: Dashboard['partnersWithErrors'] }) {
  if (partners.length === 0)
    return <p className="muted">No partner has rejected, failed or held documents.</p>;
  return (
    <div className="table-wrap">
      <table className="table table--compact">
        <caption className="visually-hidden">Partners with errors</caption>
        <thead>
          <tr>
            <th scope="col">Partner</th>
            <th scope="col" className="num">
              Rejected
            </th>
            <th scope="col" className="num">
              Failed
            </th>
            <th scope="col" className="num">
              Held
            </th>
            <th scope="col">Last problem</th>
          </tr>
        </thead>
        <tbody>
          {partners.map((p) => (
            <tr key={p.partnerId}>
              <th scope="row">
                <Link href={paths.transactions({ partner: p.partnerId, status: NEEDS_REVIEW })}>
                  {p.partnerName}
                </Link>
              </th>
              <td className="num">{formatCount(p.rejected)}</td>
              <td className="num">{formatCount(p.failed)}</td>
              <td className="num">{formatCount(p.held)}</td>
              <td className="nowrap">{formatDateTime(p.lastProblemAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const CIRCUIT_WORDS: Record<NonNullable<Dashboard['erp']['circuit']>, { words: string; tone: string }> = {
  closed: { words: 'healthy', tone: 'ok' },
  open: { words: 'open — ERP unreachable', tone: 'bad' },
  'half-open': { words: 'half-open — trying the ERP again', tone: 'warn' },
  isolated: { words: 'isolated — calls to the ERP are paused', tone: 'warn' },
};

export function ErpHealth({ erp }: Pick<Dashboard, 'erp'>) {
  const circuit = erp.configured && erp.circuit ? CIRCUIT_WORDS[erp.circuit] : null;
  return (
    <dl className="facts">
      <dt>Connection</dt>
      <dd>
        {circuit ? (
          <Health tone={circuit.tone}>{circuit.words}</Health>
        ) : (
          <span className="muted">not configured</span>
        )}
      </dd>
      <dt>POs waiting</dt>
      <dd className="num">{formatCount(erp.pending)}</dd>
      <dt>Oldest waiting</dt>
      <dd>
        {erp.oldestPendingAt
          ? `${formatAge(erp.oldestPendingAt)} (${formatDateTime(erp.oldestPendingAt)})`
          : '—'}
      </dd>
    </dl>
  );
}

/** A coloured dot beside words: the words carry the meaning, the dot helps scanning. */
export function Health({ tone, children }: { tone: string; children: ReactNode }) {
  return (
    <span className="health">
      <span className={`dot dot--${tone}`} aria-hidden="true" />
      {children}
    </span>
  );
}

export function DeliveryHealth({ delivery }: Pick<Dashboard, 'delivery'>) {
  return (
    <>
      <dl className="facts">
        <dt>Waiting to deliver</dt>
        <dd className="num">{formatCount(delivery.pending)}</dd>
        <dt>Failed</dt>
        <dd className="num">{formatCount(delivery.failed)}</dd>
      </dl>
      {delivery.recentFailures.length > 0 && <h3 className="card__subtitle">Recent failures</h3>}
      {delivery.recentFailures.length > 0 && (
        <div className="table-wrap">
          <table className="table table--compact">
            <caption className="visually-hidden">Recent delivery failures</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Partner</th>
                <th scope="col">Document</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {delivery.recentFailures.map((f) => (
                <tr key={`${f.documentId}-${f.at}`}>
                  <td className="nowrap">{formatDateTime(f.at)}</td>
                  <td>{f.partnerName}</td>
                  <td>
                    {f.kind} via {f.channel}
                  </td>
                  <td className="truncate" title={f.error ?? undefined}>
                    {f.error ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function Interchanges({ interchanges, days }: Pick<Dashboard, 'interchanges' | 'days'>) {
  return (
    <>
      <dl className="facts">
        <dt>Rejected files</dt>
        <dd className="num">{formatCount(interchanges.rejected)}</dd>
        <dt>Failed files</dt>
        <dd className="num">{formatCount(interchanges.failed)}</dd>
      </dl>
      <p className="muted small">
        Whole files refused (bad envelope) or that failed processing, last {plural(days, 'day')}.
      </p>
    </>
  );
}

/** Who sends what: each partner's documents in the window, and how many of them need a person. */
export function PartnersTable({ byPartner }: Pick<Dashboard, 'byPartner'>) {
  if (byPartner.length === 0) return <p className="muted">No documents in this window.</p>;
  const rows = [...byPartner].sort((a, b) => b.total - a.total);
  return (
    <div className="table-wrap">
      <table className="table table--compact">
        <caption className="visually-hidden">Documents by partner</caption>
        <thead>
          <tr>
            <th scope="col">Partner</th>
            <th scope="col" className="num">
              Documents
            </th>
            <th scope="col" className="num">
              Problems
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.partnerId}>
              <th scope="row">
                <Link href={paths.transactions({ partner: row.partnerId })}>{row.partnerName}</Link>
              </th>
              <td className="num">{formatCount(row.total)}</td>
              <td className="num">{formatCount(row.problems)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
