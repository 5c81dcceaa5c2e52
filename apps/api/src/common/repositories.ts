import type { Provider } from '@nestjs/common';
import {
  ConsoleTransactions,
  DashboardQueries,
  DatabaseHealth,
  PartnerTransactions,
  Payloads,
  ReviewRecords,
  TradingPartners,
} from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from './tokens';

/** The repositories the controllers query through, each over the one DataSource; controllers hold no SQL. */
export const REPOSITORIES: Provider[] = [
  ConsoleTransactions,
  DashboardQueries,
  DatabaseHealth,
  PartnerTransactions,
  Payloads,
  ReviewRecords,
  TradingPartners,
].map((Repository) => ({
  provide: Repository,
  useFactory: (ds: DataSource) => new Repository(ds),
  inject: [DATA_SOURCE],
}));
