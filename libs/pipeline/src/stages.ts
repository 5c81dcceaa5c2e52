import { dryRunErp, partnerErp, type DryRunBook, type ErpAdapter, type FetchLike } from '@edi/erp';
import type { MapRegistry } from '@edi/mapping';
import { DryRunOrders, type SecretBox, type TradingPartner } from '@edi/persistence';
import type { OurIdentities } from '@edi/as2';
import { OutboundPolicy } from '@edi/transport';
import type { DataSource } from 'typeorm';
import { As2Sender } from './deliver/as2-sender';
import { DeliverStage } from './deliver/deliver.stage';
import type { HandlerEntry } from './flow';
import { ErpStage, type ErpResolver } from './erp/erp.stage';
import { OutboundComposer } from './deliver/outbound';
import { ReceiveStage } from './inbound/receive.stage';
import { ShipStage } from './ship/ship.stage';
import { SftpStage } from './ingest/sftp.stage';
import { TranslateStage } from './translate/translate.stage';

export interface Stages {
  translate: TranslateStage;
  erp: ErpStage;
  receive: ReceiveStage;
  ship: ShipStage;
  deliver: DeliverStage;
  sftp: SftpStage;
  composer: OutboundComposer;
  erpFor: ErpResolver;
}

/**
 * The stages as the flow's runners are given them, each under its class name (the handler key
 * flow.ts gives each stage); handlersFor() checks there is exactly one for every stage.
 */
export function stageHandlers(stages: Stages): HandlerEntry[] {
  return [stages.translate, stages.erp, stages.receive, stages.ship, stages.deliver].map((handler) => ({
    key: handler.constructor.name,
    handler,
  }));
}

/**
 * The ERP a partner's POs go to: its own (rules.erp), else the global one, and none for a partner
 * without an ERP customer id. Partner adapters are kept while their configuration is unchanged.
 * A test transaction (ISA15 T when it came in: its `test` flag, not the partner's mode now, which
 * may have changed while it waited) gets that ERP behind the dry-run wrapper (reads pass, writes
 * are answered locally and kept in `dryRun`): a test PO never makes a real order, nor a
 * production PO a dry-run one.
 */
export function erpResolver(
  global?: ErpAdapter,
  allowedHosts?: readonly string[],
  transport?: FetchLike,
  dryRun?: DryRunBook,
): ErpResolver {
  const own = new Map<string, { config: string; adapter: ErpAdapter }>();
  const dry = new WeakMap<ErpAdapter, ErpAdapter>();
  const real = (partner: TradingPartner): ErpAdapter | undefined => {
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
  return (partner: TradingPartner, test: boolean) => {
    const adapter = real(partner);
    if (!adapter || !test) return adapter;
    if (!dryRun) throw new Error('a test transaction needs the dry-run ERP, and none is wired');
    let wrapped = dry.get(adapter);
    if (!wrapped) dry.set(adapter, (wrapped = dryRunErp(adapter, dryRun)));
    return wrapped;
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
    /** EDI_TRANSLATE_BATCH_SETS: sets committed per database transaction while a file is translated. */
    translateBatchSets?: number;
    /** Where webhooks and partners' SFTP servers may be (EDI_OUTBOUND_ALLOWED_HOSTS); absent = public only. */
    outbound?: OutboundPolicy;
    /** Our AS2 key and certificate(s), and where partners send asynchronous receipts; absent = no AS2 delivery. */
    as2?: { identities: OurIdentities | null; receiptUrl?: string };
  } = {},
): Stages {
  const clock = options.clock ?? (() => new Date());
  const erpFor = erpResolver(options.erp, options.erpHosts, options.erpTransport, new DryRunOrders(ds));
  const composer = new OutboundComposer(ds, maps, clock);
  const sftp = new SftpStage(ds, options.secrets, options.mailboxRoot, options.outbound);
  const as2 = new As2Sender(
    ds,
    options.as2?.identities ?? null,
    options.outbound ?? OutboundPolicy.fromList(undefined),
    {
      receiptUrl: options.as2?.receiptUrl,
      clock,
    },
  );
  return {
    // whether a PO goes to the ERP stage (and a partner's 856/810 to the receive stage), without
    // building an adapter in the translate transaction
    translate: new TranslateStage(
      ds,
      maps,
      clock,
      (p) => !!p.erpCustomerId && (!!options.erp || !!(p.rules as { erp?: unknown } | null)?.erp),
      options.maxSegmentsPerSet,
      options.translateBatchSets,
    ),
    erp: new ErpStage(ds, composer, erpFor, clock),
    receive: new ReceiveStage(ds, erpFor, clock),
    ship: new ShipStage(ds, composer, erpFor, clock),
    deliver: new DeliverStage(ds, {
      secrets: options.secrets,
      clock,
      outbound: options.outbound,
      sftp: (partnerId, name, content) => sftp.push(partnerId, name, content),
      as2: (doc) => as2.send(doc),
    }),
    sftp,
    composer,
    erpFor,
  };
}
