import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AcksRepository, DocumentCounts } from '@edi/persistence';
import type { DataSource } from 'typeorm';

/**
 * Prometheus metrics of one process (API or worker): its own counters and stage latencies, plus
 * document counts read from the database, which every process reports alike.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly ingested = new Counter({
    name: 'edi_interchanges_received_total',
    help: 'interchanges stored, by source',
    labelNames: ['source'],
    registers: [this.registry],
  });
  readonly translated = new Counter({
    name: 'edi_interchanges_translated_total',
    help: 'interchanges translated by this process, by outcome',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'edi_deliveries_total',
    help: 'delivery attempts by this process, by channel and result',
    labelNames: ['channel', 'result'],
    registers: [this.registry],
  });
  readonly stageSeconds = new Histogram({
    name: 'edi_stage_duration_seconds',
    help: 'time spent per stage (ingest: store before 202; translate: parse, validate, map, ack; deliver: one push)',
    labelNames: ['stage'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /**
   * `depth` counts what waits in this process's queues, by stage; `erpState` says whether the
   * ERP's circuit breaker is closed (healthy), open (failing fast) or half open (testing).
   */
  constructor(
    ds: DataSource,
    depth: () => Promise<Record<string, number>> | Record<string, number>,
    erpState?: () => string,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'edi_process_' });
    new Gauge({
      name: 'edi_documents',
      help: 'transaction sets by direction, set and status (from the database)',
      labelNames: ['direction', 'set', 'status'],
      registers: [this.registry],
      async collect() {
        const rows = await new DocumentCounts(ds).transactions();
        this.reset();
        for (const r of rows) this.set({ direction: r.direction, set: r.setId, status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'edi_outbound_documents',
      help: 'outbound documents (acks, 855/856/810) by channel and status (from the database)',
      labelNames: ['channel', 'status'],
      registers: [this.registry],
      async collect() {
        const rows = await new DocumentCounts(ds).outbound();
        this.reset();
        for (const r of rows) this.set({ channel: r.channel, status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'edi_acknowledgments',
      help: 'business documents we sent, by partner, set and acknowledgment state (pending, accepted, accepted_with_errors, rejected, overdue; from the database)',
      labelNames: ['partner', 'set', 'state'],
      registers: [this.registry],
      async collect() {
        const rows = await new AcksRepository(ds.manager).countsByState();
        this.reset();
        for (const r of rows) this.set({ partner: r.partner, set: r.kind, state: r.state }, r.n);
      },
    });
    if (erpState)
      new Gauge({
        name: 'edi_erp_circuit_open',
        help: "1 while the ERP's circuit breaker is open (calls fail fast; POs wait in erp_pending)",
        registers: [this.registry],
        collect() {
          this.set(erpState() === 'closed' ? 0 : 1);
        },
      });
    new Gauge({
      name: 'edi_queue_depth',
      help: 'ids waiting for or in a stage, by stage',
      labelNames: ['stage'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [stage, n] of Object.entries(await depth())) this.set({ stage }, n);
      },
    });
  }
}
