import type { TransactionRow } from '../api';
import { Link } from '../components/Link';
import { StatusBadge } from '../components/StatusBadge';
import { TestBadge } from '../components/TestBadge';
import { formatDateTime } from '../format';
import { paths } from '../router';

export function TransactionTable({ rows }: { rows: TransactionRow[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Transactions</caption>
        <thead>
          <tr>
            <th scope="col">Transaction</th>
            <th scope="col">Partner</th>
            <th scope="col">PO</th>
            <th scope="col">Status</th>
            <th scope="col">Problem</th>
            <th scope="col">Received</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <th scope="row">
                <Link href={paths.transaction(row.id)} className="mono">
                  {`${row.setId} ${row.controlNumber}`}
                </Link>
                {row.direction === 'out' && <span className="muted small"> outbound</span>}
              </th>
              <td>{row.partnerName}</td>
              <td className="mono nowrap">{row.poNumber ?? '—'}</td>
              <td>
                <StatusBadge status={row.status} /> <TestBadge test={row.test} />
              </td>
              <td className="truncate" title={row.problem ?? undefined}>
                {row.problem ?? ''}
              </td>
              <td className="nowrap">{formatDateTime(row.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
