import type { ErpAdapter, ErpReceipt } from '@edi/erp';
import { ThreadsRepository, type TradingPartner, type TransactionSet } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { poNumbersOf } from '../threads/business-keys';
import { checkAgainstThread } from './check';
import type { Mismatch } from './match';
import { receiptOf } from './receipt';

/** One PO of an inbound document, checked against that PO's thread. */
export interface ReceiveUnit {
  poNumber: string;
  /** The thread's current 850: undefined when there is none. */
  po?: TransactionSet;
  mismatches: Mismatch[];
}

/**
 * The POs an inbound document is received for: each PO an 856's order levels name (PRF01), as
 * one ship notice may carry several, each received on its own; an 810's one PO (BIG04).
 */
export function unitPos(tx: TransactionSet): string[] {
  const shipment = tx.document?.shipment;
  const named = tx.setId === '856' && shipment ? poNumbersOf(shipment as Record<string, unknown>) : [];
  return named.length ? named : [tx.poNumber ?? ''];
}

/**
 * Each PO of the document checked against its own thread. With several POs, each mismatch
 * names its PO, so the person it is held for knows which order it is about.
 */
export async function checkUnits(
  ds: DataSource,
  partnerId: string,
  tx: TransactionSet,
): Promise<ReceiveUnit[]> {
  const pos = unitPos(tx);
  const threads = new ThreadsRepository(ds);
  const units: ReceiveUnit[] = [];
  for (const poNumber of pos) {
    const thread = await threads.records(partnerId, poNumber);
    const { po, mismatches } = checkAgainstThread(tx, thread.transactions, poNumber);
    units.push({
      poNumber,
      ...(po ? { po } : {}),
      mismatches:
        pos.length > 1
          ? mismatches.map((m) => ({ ...m, poNumber, message: `PO ${poNumber}: ${m.message}` }))
          : mismatches,
    });
  }
  return units;
}

/**
 * Hands the document to the ERP: a goods receipt per PO of an 856 (each idempotent by
 * `<partner>:<BSN02>:<PO>`), an 810's AP invoice. The answer is their ids, space-separated (what
 * the transaction's erpRef keeps), new when the ERP made any of them now.
 */
export async function handOver(
  erp: ErpAdapter,
  partner: TradingPartner,
  tx: TransactionSet,
): Promise<ErpReceipt> {
  const receipts: ErpReceipt[] = [];
  for (const poNumber of unitPos(tx)) {
    const r = receiptOf(tx, partner, poNumber);
    receipts.push(await (r.kind === 'shipment' ? erp.receiveShipment(r.input) : erp.receiveInvoice(r.input)));
  }
  return {
    id: receipts
      .map((r) => r.id)
      .join(' ')
      .slice(0, 64),
    created: receipts.some((r) => r.created),
  };
}
