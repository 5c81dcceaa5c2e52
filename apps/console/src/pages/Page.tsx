import type { Route } from '../router';
import { paths } from '../router';
import { Link } from '../components/Link';
import { PageTitle } from '../components/PageTitle';
import { Attention } from './Attention';
import { Dashboard } from './Dashboard';
import { OrderThreadPage } from './OrderThread';
import { Partner } from './Partner';
import { Partners } from './Partners';
import { Staff } from './Staff';
import { Transaction } from './Transaction';
import { Transactions } from './Transactions';

/** The page for a signed-in route; keyed by id so a detail page never shows the previous record's state. */
export function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'dashboard':
      return <Dashboard partner={route.partner} />;
    case 'transactions':
      return <Transactions filter={route.filter} />;
    case 'transaction':
      return <Transaction key={route.id} id={route.id} />;
    case 'staff':
      return <Staff />;
    case 'attention':
      return <Attention />;
    case 'order':
      return (
        <OrderThreadPage key={`${route.partnerId}/${route.po}`} partnerId={route.partnerId} po={route.po} />
      );
    case 'partners':
      return <Partners />;
    case 'partner':
      return <Partner key={route.id} id={route.id} />;
    case 'login':
    case 'notFound':
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <>
      <PageTitle title="Page not found" />
      <p>
        There is no console page at this address. <Link href={paths.dashboard}>Go to the dashboard</Link>.
      </p>
    </>
  );
}
