import { NEEDS_REVIEW, api, type DeliveryChannel } from '../api';
import { Link } from '../components/Link';
import { ErrorAlert, Loading } from '../components/Notice';
import { PageTitle } from '../components/PageTitle';
import { SftpHealth } from '../components/SftpHealth';
import { TestBadge } from '../components/TestBadge';
import { formatCount, formatDateTime } from '../format';
import { paths } from '../router';
import { useLoad } from '../useLoad';

/** Every channel the API may answer with is named here: a new one does not compile until it is. */
const CHANNELS: Record<DeliveryChannel, string> = {
  outbox: 'Outbox',
  webhook: 'Webhook',
  sftp: 'SFTP',
  as2: 'AS2',
};

export function Partners() {
  const { data, error, loading } = useLoad(() => api.partners(), 'partners');
  return (
    <>
      <PageTitle title="Partners" />
      <ErrorAlert error={error} prefix="Could not load partners" />
      {loading && !data && <Loading what="partners" />}
      {data && data.items.length === 0 && <p className="empty">No trading partners are set up yet.</p>}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Trading partners</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ISA id</th>
                <th scope="col">Channel</th>
                <th scope="col">SFTP health</th>
                <th scope="col">Last activity</th>
                <th scope="col" className="num">
                  Transactions
                </th>
                <th scope="col" className="num">
                  Problems
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link href={paths.partner(p.id)}>{p.name}</Link> <TestBadge test={p.mode === 'test'} />
                  </th>
                  <td className="mono">
                    {p.isaQualifier}/{p.isaId.trim()}
                  </td>
                  <td>{CHANNELS[p.deliveryChannel]}</td>
                  <td>
                    <SftpHealth health={p.sftpHealth} />
                  </td>
                  <td className="nowrap">{formatDateTime(p.lastActivityAt)}</td>
                  <td className="num">
                    <Link href={paths.transactions({ partner: p.id })}>{formatCount(p.transactions)}</Link>
                  </td>
                  <td className="num">
                    {p.problems > 0 ? (
                      <Link href={paths.transactions({ partner: p.id, status: NEEDS_REVIEW })}>
                        {formatCount(p.problems)}
                      </Link>
                    ) : (
                      '0'
                    )}
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
