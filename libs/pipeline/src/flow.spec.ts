import { jobOptions, QUEUES } from './bull-queue';
import {
  FLOW,
  FlowWiringError,
  STAGES,
  handlersFor,
  nextOf,
  retryDelay,
  type HandlerEntry,
  type StageHandler,
} from './flow';
import type { Metrics } from './metrics';
import { BullRunner } from './runners/bull-runner';
import { InProcessRunner } from './runners/in-process';
import { StageReport } from './runners/report';

/** A handler that records the ids it ran and answers what `outcome` makes of each. */
function recording(outcome: (id: string) => unknown) {
  const ran: string[] = [];
  const handler: StageHandler = {
    run: (id) => {
      ran.push(id);
      return Promise.resolve(outcome(id));
    },
    markFailed: (id) => Promise.resolve({ id, failed: true }),
  };
  return { ran, handler };
}

const entry = (key: string, handler: StageHandler = recording(() => ({})).handler): HandlerEntry => ({
  key,
  handler,
});
const complete = () => STAGES.map((s) => entry(FLOW[s].handler));

const quiet = { log: () => undefined, warn: () => undefined };
const metrics = {
  stageSeconds: { observe: () => undefined },
  translated: { inc: () => undefined },
  deliveries: { inc: () => undefined },
} as unknown as Metrics;
const report = new StageReport(metrics, quiet);
const concurrency = { translate: 1, erp: 1, receive: 1, ship: 1, deliver: 1 };

describe('the flow table', () => {
  it('names one handler per stage, and hands ids only to stages of the table', () => {
    expect(new Set(STAGES.map((s) => FLOW[s].handler)).size).toBe(STAGES.length);
    for (const s of STAGES) for (const n of FLOW[s].next) expect(STAGES).toContain(n);
    // every stage is reached from translate, the first one after ingest
    const reached = new Set<string>(['translate']);
    for (const s of STAGES) if (reached.has(s)) for (const n of FLOW[s].next) reached.add(n);
    expect([...reached].sort()).toEqual([...STAGES].sort());
  });

  it('gives BullMQ the same attempts the in-process runner makes, and backs off alike', () => {
    for (const s of STAGES) {
      expect(QUEUES[s]).toBe(FLOW[s].queue);
      expect(jobOptions(s).attempts).toBe(FLOW[s].retry.attempts);
    }
    const r = FLOW.translate.retry;
    // ±50% around 2 × base, doubling, capped
    expect(retryDelay(r, 1, 0)).toBe(r.baseMs);
    expect(retryDelay(r, 1, 1)).toBe(3 * r.baseMs);
    expect(retryDelay(r, 2, 0.5)).toBe(4 * r.baseMs);
    expect(retryDelay(r, 50, 0.5)).toBe(r.maxMs);
  });

  it('refuses an outcome that hands ids to a stage that does not follow', () => {
    expect(
      nextOf('erp', { transactionId: 't', status: 'accepted', orderId: null, push: ['d'], ship: true }),
    ).toEqual([
      ['ship', ['t']],
      ['deliver', ['d']],
    ]);
    const sneaky = { ...FLOW.ship, handoff: () => ({ erp: ['x'] }) };
    const original = FLOW.ship;
    (FLOW as Record<string, unknown>).ship = sneaky;
    try {
      expect(() => nextOf('ship', { transactionId: 't', sent: [], push: [] })).toThrow(
        /ship handed ids to erp, which does not follow it/,
      );
    } finally {
      (FLOW as Record<string, unknown>).ship = original;
    }
  });
});

describe('the handler check at boot', () => {
  it('takes exactly one handler for each stage', () => {
    expect(Object.keys(handlersFor(complete())).sort()).toEqual([...STAGES].sort());
  });

  it('refuses a stage without a handler, in both runners', () => {
    const missing = complete().filter((e) => e.key !== FLOW.ship.handler);
    expect(() => handlersFor(missing)).toThrow(FlowWiringError);
    expect(() => new InProcessRunner(missing, { concurrency, report })).toThrow(
      /stage ship has no handler \(ShipStage\)/,
    );
    expect(() => new BullRunner(missing, {} as never, {} as never)).toThrow(/stage ship has no handler/);
  });

  it('refuses a stage with two handlers, in both runners', () => {
    const doubled = [...complete(), entry(FLOW.deliver.handler)];
    expect(() => new InProcessRunner(doubled, { concurrency, report })).toThrow(
      /stage deliver has 2 handlers \(DeliverStage\)/,
    );
    expect(() => new BullRunner(doubled, {} as never, {} as never)).toThrow(/stage deliver has 2 handlers/);
  });

  it('refuses a handler that runs no stage of the flow', () => {
    expect(() => handlersFor([...complete(), entry('AuditStage')])).toThrow(
      /handler AuditStage runs no stage of the flow/,
    );
  });
});

describe('the in-process runner', () => {
  it("runs each stage's ids on to the stages that follow it, as the table says", async () => {
    const translate = recording((id) => ({
      interchangeId: id,
      status: 'processed',
      transactions: [],
      acknowledgments: '',
      push: ['ack-1'],
      erp: ['po-1'],
      receive: ['asn-1'],
    }));
    const erp = recording((id) => ({
      transactionId: id,
      status: 'accepted',
      orderId: 'O-1',
      push: ['855-1'],
      ship: true,
    }));
    const receive = recording((id) => ({
      transactionId: id,
      status: 'accepted',
      receiptId: 'GR-1',
      mismatches: [],
    }));
    const ship = recording((id) => ({ transactionId: id, sent: ['856-1'], push: ['856-doc'] }));
    const deliver = recording((id) => ({
      documentId: id,
      status: 'delivered',
      channel: 'webhook',
      attempts: 1,
    }));
    const runner = new InProcessRunner(
      [
        entry(FLOW.translate.handler, {
          ...translate.handler,
          outcomeOf: () => Promise.resolve({}),
        } as StageHandler),
        entry(FLOW.erp.handler, erp.handler),
        entry(FLOW.receive.handler, receive.handler),
        entry(FLOW.ship.handler, ship.handler),
        entry(FLOW.deliver.handler, deliver.handler),
      ],
      { concurrency, report },
    );
    runner.queues.translate.enqueue('ic-1');
    for (let i = 0; i < 3; i++) for (const s of STAGES) await runner.queues[s].idle();
    expect(translate.ran).toEqual(['ic-1']);
    expect(erp.ran).toEqual(['po-1']);
    expect(receive.ran).toEqual(['asn-1']);
    expect(ship.ran).toEqual(['po-1']);
    expect(deliver.ran.sort()).toEqual(['855-1', '856-doc', 'ack-1']);
    await runner.close();
  });

  it("gives up as the stage's policy says: marked failed, or left for the sweep", async () => {
    const failing = (): StageHandler & { marked: string[] } => {
      const marked: string[] = [];
      return {
        marked,
        run: () => Promise.reject(new Error('down')),
        markFailed: (id) => {
          marked.push(id);
          return Promise.resolve({});
        },
      };
    };
    const deliver = failing();
    const ship = failing();
    const runner = new InProcessRunner(
      [
        entry(FLOW.translate.handler),
        entry(FLOW.erp.handler),
        entry(FLOW.receive.handler),
        entry(FLOW.ship.handler, ship),
        entry(FLOW.deliver.handler, deliver),
      ],
      { concurrency, report },
    );
    // the table's attempts, with the waits cut short
    for (const q of [runner.queues.deliver, runner.queues.ship] as unknown as Array<{
      retry: { baseMs: number; maxMs: number };
    }>)
      Object.assign(q.retry, { baseMs: 0, maxMs: 0 });
    runner.queues.deliver.enqueue('doc-1');
    runner.queues.ship.enqueue('po-9');
    await runner.queues.deliver.idle();
    await runner.queues.ship.idle();
    expect(FLOW.deliver.retry.exhausted).toBe('mark-failed');
    expect(deliver.marked).toEqual(['doc-1']);
    expect(FLOW.ship.retry.exhausted).toBe('sweep');
    expect(ship.marked).toEqual([]);
    await runner.close();
  });
});
