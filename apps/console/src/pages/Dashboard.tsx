import type { ChangeEvent } from 'react';
import { api } from '../api';
import { navigate, paths } from '../router';
import { PageTitle } from '../components/PageTitle';
import { ErrorAlert, Loading } from '../components/Notice';
import { DailyChart } from '../dashboard/DailyChart';
import { As2Certificates } from '../as2/As2Certificates';
import {
  Card,
  DeliveryHealth,
  ErpHealth,
  Interchanges,
  PartnersTable,
  PartnersWithErrors,
  SetsTable,
  StatusCard,
} from '../dashboard/Cards';
import { plural } from '../format';
import { useLoad } from '../useLoad';

/** Everyone's figures, or one partner's over the same days (the partner is in the URL). */
export function Dashboard({ partner }: { partner?: string }) {
  const { data, error, loading } = useLoad(() => api.dashboard(14, partner), `dashboard:${partner ?? ''}`);
  const partners = useLoad(() => api.partners(), 'partners');
  const choose = (event: ChangeEvent<HTMLSelectElement>) =>
    navigate(paths.dashboardOf(event.target.value || undefined), { replace: true });
  return (
    <>
      <PageTitle title="Dashboard">
        {data && <p className="page-title__sub">Last {plural(data.days, 'day')}</p>}
      </PageTitle>
      <div className="dashboard-scope field">
        <label htmlFor="dashboard-partner">Partner</label>
        <select id="dashboard-partner" value={partner ?? ''} onChange={choose}>
          <option value="">All partners</option>
          {(partners.data?.items ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorAlert error={error} prefix="Could not load the dashboard" />
      {loading && !data && <Loading what="the dashboard" />}
      {data && (
        <div className="cards">
          <Card title="Documents by status">
            <StatusCard byStatus={data.byStatus} />
          </Card>
          <Card title="Documents per day" wide>
            <DailyChart daily={data.daily} />
          </Card>
          <Card title="ERP health">
            <ErpHealth erp={data.erp} />
          </Card>
          <Card title="Delivery health" wide={data.delivery.recentFailures.length > 0}>
            <DeliveryHealth delivery={data.delivery} />
          </Card>
          <Card title="Partners with errors" wide={data.partnersWithErrors.length > 0}>
            <PartnersWithErrors partners={data.partnersWithErrors} />
          </Card>
          <Card title="Documents by partner">
            <PartnersTable byPartner={data.byPartner} />
          </Card>
          <Card title="Documents by set and direction">
            <SetsTable bySet={data.bySet} />
          </Card>
          <Card title="Files refused or failed">
            <Interchanges interchanges={data.interchanges} days={data.days} />
          </Card>
          <Card title="AS2 certificates" wide>
            <As2Certificates />
          </Card>
        </div>
      )}
    </>
  );
}
