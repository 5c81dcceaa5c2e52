import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BullStageQueue, InProcessQueue, type StageQueue } from '@edi/pipeline';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, STAGE_QUEUE } from './common/tokens';

/** Prometheus metrics of this process, plus document counts read from the database (the same from every process). */
export class Metrics {
  readonly registry = new Registry();
  readonly ingested = new Counter({
    name: 'edi_interchanges_received_total',
    help: 'interchanges stored, by source',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly stageSeconds = new Histogram({
    name: 'edi_stage_duration_seconds',
    help: 'time spent per stage (ingest: store before 202; translate: parse, validate, map, ack)',
    labelNames: ['stage'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(ds: DataSource, queue: StageQueue) {
    collectDefaultMetrics({ register: this.registry, prefix: 'edi_process_' });
    new Gauge({
      name: 'edi_documents',
      help: 'transaction sets by direction, set and status (from the database)',
      labelNames: ['direction', 'set', 'status'],
      registers: [this.registry],
      async collect() {
        const rows = await ds.query<
          Array<{ direction: string; set_id: string; status: string; n: number | string }>
        >(
          'SELECT direction, set_id, status, COUNT(*) AS n FROM transactions GROUP BY direction, set_id, status',
        );
        this.reset();
        for (const r of rows)
          this.set({ direction: r.direction, set: r.set_id, status: r.status }, Number(r.n));
      },
    });
    new Gauge({
      name: 'edi_acknowledgments_waiting',
      help: 'acknowledgments in partners outboxes not yet fetched',
      registers: [this.registry],
      async collect() {
        const [row] = await ds.query<Array<{ n: number | string }>>(
          'SELECT COUNT(*) AS n FROM acknowledgments WHERE fetched_at IS NULL',
        );
        this.set(Number(row?.n ?? 0));
      },
    });
    new Gauge({
      name: 'edi_queue_depth',
      help: 'interchanges waiting for or in translation',
      registers: [this.registry],
      async collect() {
        if (queue instanceof BullStageQueue) this.set(await queue.depth());
        else if (queue instanceof InProcessQueue) this.set(queue.depth());
      },
    });
  }
}

export const METRICS = Symbol('METRICS');

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  text(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

export { DATA_SOURCE, STAGE_QUEUE };
