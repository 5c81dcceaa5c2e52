import type { TransactionDetail } from '../api';
import { Link } from '../components/Link';
import { ErrorAlert, Loading, StatusNotice } from '../components/Notice';
import { PageTitle } from '../components/PageTitle';
import { StatusBadge } from '../components/StatusBadge';
import { TestBadge } from '../components/TestBadge';
import { directionLabel, formatDateTime } from '../format';
import { currentFlash, paths } from '../router';
import { Actions } from '../transaction/Actions';
import { Answers } from '../transaction/Answers';
import { DocumentJson } from '../transaction/DocumentJson';
import { Problems } from '../transaction/Problems';
import { RawX12 } from '../transaction/RawX12';
import { Timeline } from '../transaction/Timeline';
import { As2Messages } from '../as2/As2Messages';
import { usePolledTransaction } from '../transaction/usePolledTransaction';

export function Transaction({ id }: { id: string }) {
  const { detail, error, reload } = usePolledTransaction(id);
  const flash = currentFlash();
  const t = detail?.transaction;
  return (
    <>
      {/* one h1 throughout, so focus put on it while loading stays on it when the data arrives */}
      <PageTitle
        title={t ? `${t.setId} ${t.controlNumber}` : 'Transaction'}
        badge={
          t && (
            <>
              <StatusBadge status={t.status} /> <TestBadge test={t.test} />
            </>
          )
        }
      />
      {detail && <Subtitle detail={detail} />}
      {flash && <StatusNotice>{flash}</StatusNotice>}
      <ErrorAlert error={error} prefix="Could not load this transaction" />
      {!detail && !error && <Loading what="the transaction" />}
      {detail && (
        <>
          <Actions detail={detail} onChanged={reload} />
          <div className="detail-grid">
            <Problems issues={detail.issues} segments={detail.segments} />
            <Answers
              outbound={detail.outbound}
              answers={detail.answers}
              resubmissions={detail.resubmissions}
              resubmittedFrom={detail.transaction.resubmittedFrom}
            />
          </div>
          <RawX12 segments={detail.segments} issues={detail.issues} delimiters={detail.delimiters} />
          <DocumentJson document={detail.document} />
          <Timeline events={detail.timeline} />
          <As2Messages
            interchangeId={detail.transaction.interchangeId}
            documentIds={detail.outbound.map((o) => o.id)}
          />
        </>
      )}
    </>
  );
}

function Subtitle({ detail }: { detail: TransactionDetail }) {
  const t = detail.transaction;
  return (
    <p className="subtitle">
      <Link href={paths.partner(detail.partner.id)}>{detail.partner.name}</Link>
      <span>PO {t.poNumber ?? '—'}</span>
      <span>
        Received <time dateTime={t.createdAt}>{formatDateTime(t.createdAt)}</time>
      </span>
      <span>{directionLabel(t.direction)}</span>
      <span className="muted">
        X12 {t.version} · group {t.groupControl}
      </span>
    </p>
  );
}
