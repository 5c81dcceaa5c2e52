import type { EntityManager } from 'typeorm';
import { placeholders } from '../data-source';
import { managerOf, type Db } from './db';

/** An earlier inbound set that a new one may repeat: what the duplicate rules compare. */
export interface EarlierSet {
  id: string;
  setId: string;
  poNumber: string | null;
  controlNumber: string;
  groupControl: string;
}

/** An earlier inbound 856 or 810 of the partner with this shipment id (BSN02) or invoice number (BIG02). */
export interface EarlierNumber {
  id: string;
  setId: string;
  kind: 'shipment' | 'invoice';
  value: string;
}

type Row = {
  id: string;
  set_id: string;
  po_number: string | null;
  control_number: string;
  group_control: string;
};

/** A rejected set was never processed, and a superseded one was replaced by staff: neither is a receipt. */
const NOT_RECEIPTS = "status NOT IN ('rejected', 'superseded')";

/**
 * The lookups behind the duplicate rules, each by an index that fits it: they run once or more
 * per file, so a partner's history must not make them slower. A rule with two ways to match (the
 * same PO number, or the same GS06/ST02) is two lookups, never an OR: an OR over two columns can
 * use neither index, and SQLite then read every row of the partner (74 to 3-5 docs/s at 28k).
 */
export class DuplicateLookups {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  /**
   * Records an accepted ISA13 under its unique index (partner, number): false when the partner's
   * number is taken already, so two workers can never both accept it.
   */
  async acceptIsa13(partnerId: string, control: string, interchangeId: string): Promise<boolean> {
    const [a, b, c] = placeholders(this.m.connection, 3);
    const inserted = await this.m.query<Array<{ interchange_id: string }>>(
      `INSERT INTO interchange_control_numbers (partner_id, control_number, interchange_id) VALUES (${a}, ${b}, ${c}) ON CONFLICT (partner_id, control_number) DO NOTHING RETURNING interchange_id`,
      [partnerId, control, interchangeId],
    );
    return inserted.length > 0;
  }

  /** The interchange that was accepted under this ISA13 of the partner. */
  async isa13Holder(partnerId: string, control: string): Promise<string | undefined> {
    const [a, b] = placeholders(this.m.connection, 2);
    const [row] = await this.m.query<Array<{ interchange_id: string }>>(
      `SELECT interchange_id FROM interchange_control_numbers WHERE partner_id = ${a} AND control_number = ${b}`,
      [partnerId, control],
    );
    return row?.interchange_id;
  }

  /** An earlier interchange of the partner with the very same bytes (by the sha256 index). */
  async sameContent(partnerId: string, sha256: string, exceptId: string): Promise<string | undefined> {
    const [a, b, c] = placeholders(this.m.connection, 3);
    const [row] = await this.m.query<Array<{ id: string }>>(
      `SELECT id FROM interchanges WHERE sha256 = ${a} AND partner_id = ${b} AND id <> ${c} LIMIT 1`,
      [sha256, partnerId, exceptId],
    );
    return row?.id;
  }

  /** Earlier receipts of the partner with one of these PO numbers (index: partner, PO number). */
  earlierByPoNumber(partnerId: string, exceptInterchangeId: string, setIds: string[], poNumbers: string[]) {
    return this.earlier('po_number', partnerId, exceptInterchangeId, setIds, poNumbers);
  }

  /**
   * Earlier receipts of the partner with one of these GS06s and one of these ST02s (index:
   * partner, group control, control number): most partners number every set 0001, so by ST02
   * alone this would read all their earlier sets.
   */
  earlierByControlNumber(
    partnerId: string,
    exceptInterchangeId: string,
    setIds: string[],
    controls: string[],
    groups: string[],
  ) {
    if (!groups.length) return Promise.resolve([]);
    return this.earlier('control_number', partnerId, exceptInterchangeId, setIds, controls, groups);
  }

  /**
   * Earlier inbound receipts of the partner's ship notices (`shipment`, BSN02 of an 856) or invoices
   * (`invoice`, BIG02 of an 810) with one of these numbers: their business keys by their index
   * (kind, value, partner), then each set by its key. Our own 856s and 810s carry the same keys:
   * only the partner's (direction in) count.
   */
  async earlierByNumber(
    partnerId: string,
    exceptInterchangeId: string,
    kind: 'shipment' | 'invoice',
    values: string[],
  ): Promise<EarlierNumber[]> {
    if (!values.length) return [];
    const marks = placeholders(this.m.connection, 4 + values.length);
    const [k, p, s, i] = marks;
    const rows = await this.m.query<Array<{ id: string; set_id: string; value: string }>>(
      // in the order of the marks: SQLite's ? marks are bound by position
      `SELECT t.id, t.set_id, b.value FROM business_keys b JOIN transactions t ON t.id = b.transaction_id WHERE b.kind = ${k} AND b.partner_id = ${p} AND t.set_id = ${s} AND t.interchange_id <> ${i} AND b.value IN (${marks.slice(4).join(', ')}) AND t.direction = 'in' AND t.${NOT_RECEIPTS}`,
      [kind, partnerId, kind === 'shipment' ? '856' : '810', exceptInterchangeId, ...values],
    );
    return rows.map((r) => ({ id: r.id, setId: r.set_id, kind, value: r.value }));
  }

  private async earlier(
    column: 'po_number' | 'control_number',
    partnerId: string,
    exceptInterchangeId: string,
    setIds: string[],
    values: string[],
    groups: string[] = [],
  ): Promise<EarlierSet[]> {
    if (!values.length || !setIds.length) return [];
    const marks = placeholders(this.m.connection, 2 + groups.length + values.length + setIds.length);
    const [p, i] = marks;
    let at = 2;
    const list = (n: number) => marks.slice(at, (at += n)).join(', ');
    const inGroups = groups.length ? ` AND group_control IN (${list(groups.length)})` : '';
    const inValues = list(values.length);
    const inSets = list(setIds.length);
    const rows = await this.m.query<Row[]>(
      // in the order of the values: SQLite's ? marks are bound by position
      `SELECT id, set_id, po_number, control_number, group_control FROM transactions WHERE partner_id = ${p} AND interchange_id <> ${i}${inGroups} AND ${column} IN (${inValues}) AND set_id IN (${inSets}) AND ${NOT_RECEIPTS}`,
      [partnerId, exceptInterchangeId, ...groups, ...values, ...setIds],
    );
    return rows.map((r) => ({
      id: r.id,
      setId: r.set_id,
      poNumber: r.po_number,
      controlNumber: r.control_number,
      groupControl: r.group_control,
    }));
  }
}
