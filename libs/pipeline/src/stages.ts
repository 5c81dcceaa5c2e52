import { partnerErp, type ErpAdapter, type FetchLike } from '@edi/erp';
import type { MapRegistry } from '@edi/mapping';
import type { SecretBox, TradingPartner } from '@edi/persistence';
import type { OutboundPolicy } from '@edi/transport';
import type { DataSource } from 'typeorm';
import { DeliverStage } from './deliver/deliver.stage';
import { ErpStage, type ErpOutcome, type ErpResolver } from './erp/erp.stage';
import { OutboundComposer } from './deliver/outbound';
import { ShipStage, type ShipOutcome } from './ship/ship.stage';
import { SftpStage } from './ingest/sftp.stage';
import { TranslateStage, type TranslateOutcome } from './translate/translate.stage';

export interface Stages {
  translate: TranslateStage;
  erp: ErpStage;
  ship: ShipStage;
  deliver: DeliverStage;
  sftp: SftpStage;
  composer: OutboundComposer;
  erpFor: ErpResolver;
}

/** What comes after a stage's outcome, by queue: the same in the embedded mode and in a worker. */
export interface FollowUps {
  deliver: string[];
  erp: string[];
  ship: string[];
}

export function followUps(o: TranslateOutcome | ErpOutcome | ShipOutcome): FollowUps {
  return {
    deliver: o.push,
    erp: 'erp' in o ? o.erp : [],
    ship: 'ship' in o && o.ship ? [o.transactionId] : [],
  };
}

/** The log line of a PO checked with the ERP, the same from the embedded queue and a worker. */
export function erpLogLine(o: ErpOutcome): Record<string, unknown> {
  return { msg: 'erp checked', transactionId: o.transactionId, status: o.status, orderId: o.orderId };
}

/** The log line of an order's 856/810 sent, or none when nothing new was sent. */
export function shipLogLine(o: ShipOutcome): Record<string, unknown> | undefined {
  return o.sent.length ? { msg: 'shipped', transactionId: o.transactionId, sent: o.sent } : undefined;
}

/**
 * The ERP a partner's POs go to: its own (rules.erp), else the global one, and none for a partner
 * without an ERP customer id. Partner adapters are kept while their configuration is unchanged.
 */
export function erpResolver(
  global?: ErpAdapter,
  allowedHosts?: readonly string[],
  transport?: FetchLike,
): ErpResolver {
  const own = new Map<string, { config: string; adapter: ErpAdapter }>();
  return (partner: TradingPartner) => {
    if (!partner.erpCustomerId) return undefined;
    const config = (partner.rules as { erp?: unknown } | null)?.erp;
    if (!config) return global;
    const key = JSON.stringify(config);
    const hit = own.get(partner.id);
    if (hit?.config === key) return hit.adapter;
    const adapter = partnerErp(config, undefined, allowedHosts, transport);
    own.set(partner.id, { config: key, adapter });
    return adapter;
  };
}

/** Every stage over one database, maps and ERP: what the API (embedded) and a worker both run. */
export function buildStages(
  ds: DataSource,
  maps: MapRegistry,
  options: {
    erp?: ErpAdapter;
    /** The hosts partners' own ERP configurations may call; absent = any (tests, the CLI). */
    erpHosts?: readonly string[];
    /** How partners' own ERPs are called (the outbound policy's guarded fetch); fetch when absent. */
    erpTransport?: FetchLike;
    secrets?: SecretBox;
    clock?: () => Date;
    mailboxRoot?: string;
    /** EDI_MAX_SEGMENTS_PER_SET: a longer transaction set is refused. */
    maxSegmentsPerSet?: number;
    /** Where webhooks and partners' SFTP servers may be (EDI_OUTBOUND_ALLOWED_HOSTS); absent = public only. */
    outbound?: OutboundPolicy;
  } = {},
): Stages {
  const clock = options.clock ?? (() => new Date());
  const erpFor = erpResolver(options.erp, options.erpHosts, options.erpTransport);
  const composer = new OutboundComposer(ds, maps, clock);
  const sftp = new SftpStage(ds, options.secrets, options.mailboxRoot, options.outbound);
  return {
    // whether a PO goes to the ERP stage, without building an adapter in the translate transaction
    translate: new TranslateStage(
      ds,
      maps,
      clock,
      (p) => !!p.erpCustomerId && (!!options.erp || !!(p.rules as { erp?: unknown } | null)?.erp),
      options.maxSegmentsPerSet,
    ),
    erp: new ErpStage(ds, composer, erpFor, clock),
    ship: new ShipStage(ds, composer, erpFor, clock),
    deliver: new DeliverStage(ds, {
      secrets: options.secrets,
      clock,
      outbound: options.outbound,
      sftp: (partnerId, name, content) => sftp.push(partnerId, name, content),
    }),
    sftp,
    composer,
    erpFor,
  };
}
