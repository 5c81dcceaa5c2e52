import { ErrorAlert, Loading } from '../components/Notice';
import { PageTitle } from '../components/PageTitle';
import { TestBadge } from '../components/TestBadge';
import { formatDateTime } from '../format';
import { ACK_LABELS, MATCH_LABELS, ordersApi } from '../orders/api';
import { useLoad } from '../useLoad';

const DIRECTION = { in: 'from partner', out: 'to partner' } as const;

/** One PO's thread: every document about it in time order, and what became of each line. */
export function OrderThreadPage({ partnerId, po }: { partnerId: string; po: string }) {
  const { data, error, loading } = useLoad(
    () => ordersApi.thread(partnerId, po),
    `thread-${partnerId}-${po}`,
  );
  return (
    <>
      <PageTitle title={`Order ${po}`} badge={data?.test && <TestBadge test />} />
      <ErrorAlert error={error} prefix="Could not load the order" />
      {loading && !data && <Loading what="the order" />}
      {data && (
        <>
          <p>Partner: {data.partnerName ?? data.partnerId}</p>
          <h2>Documents</h2>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Documents of order {po}</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Set</th>
                  <th scope="col">Direction</th>
                  <th scope="col">Control number</th>
                  <th scope="col">Status</th>
                  <th scope="col">Acknowledgment</th>
                  <th scope="col">Checked against the order</th>
                </tr>
              </thead>
              <tbody>
                {data.documents.map((d) => (
                  <tr key={d.id}>
                    <td className="nowrap">{formatDateTime(d.at)}</td>
                    <th scope="row">{d.setId}</th>
                    <td>{DIRECTION[d.direction]}</td>
                    <td className="mono">{d.controlNumber}</td>
                    <td>
                      {d.status} <TestBadge test={d.test} />
                    </td>
                    <td>
                      {d.ack ? ACK_LABELS[d.ack.status] : '—'}
                      {d.ack && d.ack.reasons.length > 0 && (
                        <ul className="plain">
                          {d.ack.reasons.map((r, k) => (
                            <li key={k}>{r.message}</li>
                          ))}
                        </ul>
                      )}
                      {d.resentAs && <div className="muted">resent</div>}
                    </td>
                    <td>
                      {d.match ? MATCH_LABELS[d.match.outcome] : '—'}
                      {d.match?.receiptId && <div className="mono">{d.match.receiptId}</div>}
                      {d.match?.duplicateOf && <div>{d.match.duplicateOf}</div>}
                      {d.match && d.match.mismatches.length > 0 && (
                        <ul className="plain">
                          {d.match.mismatches.map((m) => (
                            <li key={m}>{m}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Lines</h2>
          {data.lines.some((l) => l.mismatches.length > 0) && (
            <div role="alert" className="notice">
              <p>What was shipped or billed does not match the order:</p>
              <ul>
                {data.lines
                  .flatMap((l) => l.mismatches)
                  .map((m) => (
                    <li key={m}>{m}</li>
                  ))}
              </ul>
            </div>
          )}
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Lines of order {po}</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Product</th>
                  <th scope="col" className="num">
                    Ordered
                  </th>
                  <th scope="col" className="num">
                    Accepted
                  </th>
                  <th scope="col" className="num">
                    Back-ordered
                  </th>
                  <th scope="col" className="num">
                    Rejected
                  </th>
                  <th scope="col" className="num">
                    Shipped
                  </th>
                  <th scope="col" className="num">
                    Invoiced
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.lines.map((l) => (
                  <tr key={l.lineNumber}>
                    <th scope="row">{l.lineNumber}</th>
                    <td>{l.product ?? '—'}</td>
                    <td className="num">{l.ordered}</td>
                    <td className="num">{l.acknowledged.accepted}</td>
                    <td className="num">{l.acknowledged.backordered}</td>
                    <td className="num">{l.acknowledged.rejected}</td>
                    <td className="num">{l.shipped}</td>
                    <td className="num">{l.invoiced}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
