import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { MapRegistry } from '@edi/mapping';
import type { StaffAccounts } from '@edi/auth';
import type { ApiKeys, SecretBox } from '@edi/persistence';
import type { DeliverStage, Metrics, Pipeline, Review, StageQueue } from '@edi/pipeline';
import type { DataSource } from 'typeorm';
import { AdminController } from './admin/admin.controller';
import { AS2_CONTROLLERS, as2Providers, type As2Deps } from './as2';
import { AdminGuard } from './common/admin.guard';
import { ErrorFilter } from './common/error.filter';
import { KeyThrottlerGuard } from './common/throttler.guard';
import { SlidingWindowStorage } from './common/sliding-window.storage';
import {
  API_KEYS,
  DATA_SOURCE,
  DELIVER,
  ERP_HOSTS,
  ERP_STATE,
  MAPS,
  PIPELINE,
  REVIEW,
  SECRETS,
  SHIP_QUEUE,
  STAFF,
  STAGE_QUEUE,
} from './common/tokens';
import { CONSOLE_CONTROLLERS } from './console';
import { REPOSITORIES } from './common/repositories';
import { StaffGuard } from './console/staff.guard';
import { ErpEventsController } from './erp/erp-events.controller';
import { APP_CONFIG, type AppConfig } from './config';
import { EdiController } from './edi/edi.controller';
import { HealthController } from './health.controller';
import { DocumentsController } from './documents/documents.controller';
import { METRICS, MetricsController } from './metrics.controller';
import { TransactionsController } from './transactions/transactions.controller';
import { ORDERS_CONTROLLERS } from './orders';

export interface AppDeps {
  config: AppConfig;
  dataSource: DataSource;
  maps: MapRegistry;
  queue: StageQueue;
  pipeline: Pipeline;
  metrics: Metrics;
  deliver: DeliverStage;
  /** The ship stage's queue (ERP events put orders on it). */
  ships: { enqueue(id: string): void };
  secrets?: SecretBox;
  /** One instance, so the body-limit middleware and the guards share its cache and revocations. */
  keys: ApiKeys;
  /** Console accounts and sessions. */
  staff: StaffAccounts;
  review: Review;
  /** The ERP circuit's state, for the console; null when no ERP is configured. */
  erpState: (() => string) | null;
  /** The hosts a partner's own ERP configuration may call. */
  erpHosts: readonly string[];
  /** POST /as2 and the partners' AS2 settings; absent = AS2 is off. */
  as2?: As2Deps;
}

/** The HTTP app around already-opened dependencies, so embedded, scaled and tests wire it the same way. */
@Module({})
export class AppModule {
  static register(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: deps.config.EDI_RATE_LIMIT_PER_MINUTE }],
          storage: new SlidingWindowStorage(),
        }),
      ],
      controllers: [
        EdiController,
        TransactionsController,
        DocumentsController,
        ErpEventsController,
        AdminController,
        HealthController,
        MetricsController,
        ...CONSOLE_CONTROLLERS,
        ...AS2_CONTROLLERS,
        ...ORDERS_CONTROLLERS,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: deps.config },
        { provide: DATA_SOURCE, useValue: deps.dataSource },
        { provide: MAPS, useValue: deps.maps },
        { provide: STAGE_QUEUE, useValue: deps.queue },
        { provide: API_KEYS, useValue: deps.keys },
        { provide: PIPELINE, useValue: deps.pipeline },
        { provide: METRICS, useValue: deps.metrics },
        { provide: DELIVER, useValue: deps.deliver },
        { provide: SHIP_QUEUE, useValue: deps.ships },
        { provide: SECRETS, useValue: deps.secrets ?? null },
        { provide: STAFF, useValue: deps.staff },
        { provide: REVIEW, useValue: deps.review },
        { provide: ERP_STATE, useValue: deps.erpState },
        { provide: ERP_HOSTS, useValue: deps.erpHosts },
        ...REPOSITORIES,
        ...as2Providers(deps.dataSource, deps.as2),
        AdminGuard,
        StaffGuard,
        { provide: APP_GUARD, useClass: KeyThrottlerGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}

export { ThrottlerGuard };
