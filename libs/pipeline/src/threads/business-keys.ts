import type { BusinessKeyKind } from '@edi/persistence';

type Json = Record<string, unknown>;

/** A JSON value as text: a non-empty string, or a number written out; undefined otherwise. */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
}

/** An SSCC as kept and handed on: 18 digits (a GS1-128 label's 00 application identifier dropped). */
export function sscc(mark: string): string {
  return mark.length === 20 && mark.startsWith('00') ? mark.slice(2) : mark;
}

/** Every object in a shipment's HL tree (orders, tares, packs, items), depth first. */
export function* hierarchy(node: Json): Generator<Json> {
  for (const key of ['orders', 'tares', 'packs', 'items'])
    for (const child of (node[key] as Json[] | undefined) ?? []) {
      yield child;
      yield* hierarchy(child);
    }
}

/**
 * The business identifiers of a translated set, to find its order thread by: an 810's invoice
 * number (BIG02) and PO (BIG04), an 856's shipment id (BSN02), the POs of its order levels
 * (PRF01) and the SSCCs of its cartons (MAN GM; a GS1-128 label may carry the 00 application
 * identifier in front of the 18 digits).
 */
export function businessKeys(setId: string, document: Json): Array<{ kind: BusinessKeyKind; value: string }> {
  const keys: Array<{ kind: BusinessKeyKind; value: string }> = [];
  if (setId === '810') {
    const number = text((document.invoice as Json | undefined)?.number);
    if (number) keys.push({ kind: 'invoice', value: number });
    const po = poNumberOf(setId, document);
    if (po) keys.push({ kind: 'po', value: po });
  }
  if (setId === '856') {
    const shipment = (document.shipment as Json | undefined) ?? {};
    const id = text(shipment.id);
    if (id) keys.push({ kind: 'shipment', value: id });
    for (const po of poNumbersOf(shipment)) keys.push({ kind: 'po', value: po });
    const seen = new Set<string>();
    for (const node of hierarchy(shipment))
      for (const mark of (node.marks as Json[] | undefined) ?? []) {
        const n = text(mark.number);
        if (mark.qualifier !== 'GM' || !n) continue;
        const value = sscc(n);
        if (!seen.has(value)) keys.push({ kind: 'sscc', value });
        seen.add(value);
      }
  }
  return keys;
}

/** Every PO a ship notice's order levels name (PRF01), each once, in order. */
export function poNumbersOf(shipment: Json): string[] {
  const pos = new Set<string>();
  for (const node of hierarchy(shipment)) {
    const po = text((node.purchaseOrder as Json | undefined)?.number);
    if (po) pos.add(po);
  }
  return [...pos];
}

/** The PO an inbound 856 or 810 is about (PRF01 of its first order level; BIG04), for its thread. */
export function poNumberOf(setId: string, document: Json): string | undefined {
  if (setId === '810') return text((document.invoice as Json | undefined)?.purchaseOrderNumber);
  if (setId === '856')
    for (const node of hierarchy((document.shipment as Json | undefined) ?? {})) {
      const po = text((node.purchaseOrder as Json | undefined)?.number);
      if (po) return po;
    }
  return undefined;
}
