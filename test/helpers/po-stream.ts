import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DEMO_850 = readFileSync(resolve(__dirname, '../../fixtures/x12/850-demo.x12'), 'latin1');

/** The demo 850 as PO number n: ISA13, GS06 and the PO number are n's own (items the sandbox ERP stocks). */
export function purchaseOrder(n: number): string {
  const isa13 = String(n).padStart(9, '0');
  return DEMO_850.replace('*U*00401*000000101*', `*U*00401*${isa13}*`)
    .replace('IEA*1*000000101', `IEA*1*${isa13}`)
    .replace('*0930*101*X*', `*0930*${n}*X*`)
    .replace('GE*1*101~', `GE*1*${n}~`)
    .replace('BEG*00*SA*PO-1001*', `BEG*00*SA*PO-CHAOS-${n}*`);
}

/**
 * Partners sending POs 1..total in parallel, as a partner retries: a PO without a 2xx answer
 * (the service died under it) is sent again later with the same Idempotency-Key.
 */
export class PoStream {
  /** PO number → the interchange id of its 2xx answer. */
  readonly answered = new Map<number, string>();
  /** Answers that are neither 2xx nor a dropped connection: each one a defect. */
  readonly unexpected: string[] = [];
  private readonly waiting: number[];

  constructor(
    total: number,
    private readonly key: string,
    private readonly senders = 4,
  ) {
    this.waiting = Array.from({ length: total }, (_, i) => i + 1);
  }

  /** Sends until every PO is answered or the service is gone (each sender stops at its first dropped connection). */
  run(url: string): Promise<void> {
    return Promise.all(Array.from({ length: this.senders }, () => this.sender(url))).then(() => undefined);
  }

  get left(): number {
    return this.waiting.length;
  }

  private async sender(url: string): Promise<void> {
    for (let n = this.waiting.shift(); n !== undefined; n = this.waiting.shift()) {
      let r: Response;
      try {
        r = await fetch(`${url}/v1/edi`, {
          method: 'POST',
          headers: { 'x-api-key': this.key, 'idempotency-key': `chaos-po-${n}` },
          body: purchaseOrder(n),
        });
      } catch {
        this.waiting.push(n);
        return;
      }
      const text = await r.text();
      if (r.status === 202)
        this.answered.set(n, (JSON.parse(text) as { interchangeId: string }).interchangeId);
      else this.unexpected.push(`PO ${n}: ${r.status} ${text}`);
    }
  }
}

interface OutboxItem {
  kind: string;
  x12: string;
}

/** What the partner's outbox holds, per PO number: its 997s and 855s, and every ISA13 we used. */
export async function outboxByPo(url: string, key: string) {
  const r = await fetch(`${url}/v1/outbox`, { headers: { 'x-api-key': key } });
  if (!r.ok) throw new Error(`GET /v1/outbox: ${r.status}`);
  const { items } = (await r.json()) as { items: OutboxItem[] };
  const acks = new Map<number, number>();
  const orders = new Map<number, number>();
  const bump = (m: Map<number, number>, n: string | undefined) =>
    n !== undefined && m.set(Number(n), (m.get(Number(n)) ?? 0) + 1);
  for (const i of items) {
    if (i.kind === '997') bump(acks, /~\s*AK1\*PO\*(\d+)~/.exec(i.x12)?.[1]);
    if (i.kind === '855') bump(orders, /~\s*BAK\*\d\d\*\w\w\*PO-CHAOS-(\d+)\*/.exec(i.x12)?.[1]);
  }
  const isa13 = items.map((i) => i.x12.split(i.x12[3]!)[13]);
  return { items: items.length, acks, orders, isa13 };
}

/** Interchange ids of the partner's stored inbound 850s. */
export async function stored850s(url: string, key: string): Promise<string[]> {
  const r = await fetch(`${url}/v1/transactions?set=850&direction=in&limit=500`, {
    headers: { 'x-api-key': key },
  });
  if (!r.ok) throw new Error(`GET /v1/transactions: ${r.status}`);
  return ((await r.json()) as { items: Array<{ interchangeId: string }> }).items.map((t) => t.interchangeId);
}
