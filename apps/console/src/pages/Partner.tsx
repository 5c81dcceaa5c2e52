import { api } from '../api';
import { ErrorAlert, Loading } from '../components/Notice';
import { PageTitle } from '../components/PageTitle';
import { ApiKeys } from '../partner/ApiKeys';
import { IssueKey } from '../partner/IssueKey';
import { Profile, Rules } from '../partner/Profile';
import { As2Panel } from '../as2/As2Panel';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

export function Partner({ id }: { id: string }) {
  const { user } = useSession();
  const { data: partner, error, loading, reload } = useLoad(() => api.partner(id), id);
  const isAdmin = user.role === 'admin';
  return (
    <>
      <PageTitle title={partner?.name ?? 'Partner'} />
      <ErrorAlert error={error} prefix="Could not load this partner" />
      {loading && !partner && <Loading what="the partner" />}
      {partner && (
        <>
          <div className="detail-grid">
            <Profile partner={partner} />
            <Rules rules={partner.rules} />
            <As2Panel partnerId={partner.id} />
          </div>
          <section className="panel">
            <h2>API keys</h2>
            <ApiKeys partnerId={partner.id} keys={partner.keys} canManage={isAdmin} onChanged={reload} />
            {isAdmin && <IssueKey partnerId={partner.id} onIssued={reload} />}
          </section>
        </>
      )}
    </>
  );
}
