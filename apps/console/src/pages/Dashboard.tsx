import { api } from '../api';
import { PageTitle } from '../components/PageTitle';
import { ErrorAlert, Loading } from '../components/Notice';
import { DailyChart } from '../dashboard/DailyChart';
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

export function Dashboard() {
  const { data, error, loading } = useLoad(() => api.dashboard(), 'dashboard');
  return (
    <>
      <PageTitle title="Dashboard">
        {data && <p className="page-title__sub">Last {plural(data.days, 'day')}</p>}
      </PageTitle>
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
        </div>
      )}
    </>
  );
}
