import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildX12,
  documentSchema,
  translateX12,
  type CanonicalDocument,
  type JsonObject,
} from '@edi/mapping';
import { serialize, validateX12 } from '@edi/x12';
import { readCorpus } from './helpers/corpus';
import { registry } from './helpers/maps';

const docs = (file: string) => translateX12(readCorpus(file), registry).translations.map((t) => t.document);
type Obj = JsonObject & Record<string, any>;

describe('canonical JSON from real files', () => {
  it('850: envelope facts, purchaseOrder.number and ISO date, typed lines with named part numbers', () => {
    const [po] = docs('850/bots-plugins__850-004010-12.x12');
    expect(po).toMatchObject({
      transactionSet: '850',
      version: '004010',
      controlNumber: '000000001',
      sender: { qualifier: expect.any(String), id: expect.any(String) },
    });
    const body = po!.purchaseOrder as Obj;
    expect(body.number).toEqual(expect.any(String));
    expect(body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(body.lines[0]).toMatchObject({
      lineNumber: '1',
      quantity: 36,
      unitOfMeasure: 'EA',
      unitPrice: 21,
      buyerCatalogNumber: '976280009',
      vendorStyleNumber: 'TTG-500',
      upc: '499762800094',
    });
    const bp = docs('850/bots-plugins__850-004010-05.x12')
      .map((d) => d.purchaseOrder as Obj)
      .find((b) => b.lines.some((l: Obj) => l.buyerPartNumber))!;
    expect(bp.lines[0]).toMatchObject({
      lineNumber: '0001',
      quantity: 8,
      unitOfMeasure: 'CR',
      unitPrice: 0,
      buyerPartNumber: 'MPDGART',
    });
  });

  it('810: invoice number, date, PO number, and TDS01 with its two implied decimals', () => {
    const [inv] = docs('810/bots-plugins__810_1.x12');
    expect(inv!.invoice).toMatchObject({
      number: '95018017',
      date: '2007-09-29',
      purchaseOrderNumber: 'ordernumber',
      totalAmount: 12345.79,
    });
    expect(docs('810/bots-plugins__810-004010-01.x12').map((d) => (d.invoice as Obj).totalAmount)).toEqual([
      8432.02, 1129.92,
    ]);
  });

  it('855: the acknowledged PO number', () => {
    const [ack] = docs('855/bots-plugins__855-004010UCS-01.x12');
    expect(ack!.acknowledgment).toMatchObject({
      purpose: '00',
      type: 'AP',
      purchaseOrderNumber: '194207',
      purchaseOrderDate: '2003-05-07',
    });
  });

  it('856: shipment.id and the HL hierarchy as nested objects, each level under its HL02 parent', () => {
    const [asn] = docs('856/bots-plugins__856_1.x12');
    const s = asn!.shipment as Obj;
    expect(s.id).toBe('15918861602');
    expect(s.orders).toHaveLength(1);
    const order = s.orders[0];
    expect(order.purchaseOrder.number).toBe('ordernumber');
    // HL*3*2*P, HL*8*2*P, HL*11*2*P are the order's packs; HL*4..7 are items of pack 3, HL*9..10 of pack 8
    expect(order.packs.map((p: Obj) => p.marks[0].number)).toEqual([
      '0000123456781234567892',
      '0000123456781234567891',
      '0000123456781234567890',
    ]);
    // counted straight from the file: items are the HL*n*<pack id>*I segments
    const raw = readCorpus('856/bots-plugins__856_1.x12').toString('latin1');
    const itemsOf = (pack: number) => (raw.match(new RegExp(`HL\\*\\d+\\*${pack}\\*I~`, 'g')) ?? []).length;
    expect(order.packs.map((p: Obj) => p.items.length)).toEqual([itemsOf(3), itemsOf(8), itemsOf(11)]);
    expect(itemsOf(3)).toBe(4);
    expect(order.packs[1].items[1]).toMatchObject({
      lineNumber: '5',
      upc: '058824087028',
      buyerPartNumber: '01113495',
      shipped: { quantity: 9, unitOfMeasure: 'EA' },
    });
  });
});

describe('canonical JSON to X12', () => {
  const sender = { qualifier: 'ZZ', id: 'DEMOSUPPLIER', applicationCode: 'DEMOSUPPLIER' };
  const receiver = { qualifier: 'ZZ', id: 'DEMOPARTNER', applicationCode: 'DEMOPARTNER' };

  it('855 with per-line status survives JSON → X12 → JSON, with a valid envelope and guide', () => {
    const doc: CanonicalDocument = {
      transactionSet: '855',
      version: '004010',
      controlNumber: '0001',
      sender,
      receiver,
      acknowledgment: {
        purpose: '00',
        type: 'AC',
        purchaseOrderNumber: 'PO-1001',
        purchaseOrderDate: '2026-11-20',
        lines: [
          {
            lineNumber: '1',
            quantity: 10,
            unitOfMeasure: 'EA',
            unitPrice: 9.25,
            buyerPartNumber: 'B-1',
            upc: '012345678905',
            acknowledgments: [{ status: 'IA', quantity: 10, unitOfMeasure: 'EA' }],
          },
          {
            lineNumber: '2',
            quantity: 5,
            unitOfMeasure: 'EA',
            unitPrice: 3.5,
            buyerPartNumber: 'B-2',
            acknowledgments: [
              { status: 'IB', quantity: 5, unitOfMeasure: 'EA', dateQualifier: '068', date: '2026-12-01' },
            ],
          },
        ],
        totals: { lineCount: 2 },
      },
    };
    const x12 = serialize(buildX12([doc], registry, { now: new Date('2026-11-25T10:00:00Z') }));
    expect(x12.toString()).toContain('ACK*IB*5*EA*068*20261201~');
    const { translations, report } = translateX12(x12, registry);
    expect(report.issues).toEqual([]);
    expect(translations[0]!.document.acknowledgment).toEqual(doc.acknowledgment);
    expect(validateX12(x12).issues).toEqual([]);
  });

  it('856 hierarchy is written depth first with HL02 pointing at each parent', () => {
    const doc: CanonicalDocument = {
      transactionSet: '856',
      version: '004010',
      controlNumber: '0001',
      sender,
      receiver,
      shipment: {
        purpose: '00',
        id: 'SHIP1',
        date: '2026-11-25',
        time: '10:00',
        orders: [
          {
            purchaseOrder: { number: 'PO-1' },
            packs: [
              {
                marks: [{ qualifier: 'GM', number: '000012345600000017' }],
                items: [
                  { lineNumber: '1', upc: '012345678905', shipped: { quantity: 3, unitOfMeasure: 'EA' } },
                ],
              },
              {
                marks: [{ qualifier: 'GM', number: '000012345600000024' }],
                items: [
                  { lineNumber: '2', upc: '012345678912', shipped: { quantity: 1, unitOfMeasure: 'EA' } },
                ],
              },
            ],
          },
        ],
      },
    };
    const text = serialize(buildX12([doc], registry)).toString();
    expect(text.match(/HL\*[^~]*/g)).toEqual([
      'HL*1**S',
      'HL*2*1*O',
      'HL*3*2*P',
      'HL*4*3*I',
      'HL*5*2*P',
      'HL*6*5*I',
    ]);
    expect(translateX12(text, registry).translations[0]!.document.shipment).toEqual(doc.shipment);
  });
});

describe('published JSON Schemas (docs/schemas)', () => {
  const schemaFile = (set: string, version: string) =>
    join(__dirname, '../docs/schemas', `${set}-${version}.json`);

  it.each([
    ['850', '004010'],
    ['855', '004010'],
    ['856', '004010'],
    ['810', '004010'],
    ['997', '004010'],
    ['999', '005010'],
  ])(
    '%s %s is up to date with its map, and every corpus document of that set validates against it',
    (set, version) => {
      const published = JSON.parse(readFileSync(schemaFile(set, version), 'utf8'));
      expect(published).toEqual(JSON.parse(JSON.stringify(documentSchema(registry.get(set, version)))));
      const validate = new Ajv2020({
        strict: false,
        allErrors: true,
        formats: { date: /^\d{4}-\d{2}-\d{2}$/ },
      }).compile(published);
      const files: Record<string, string> = {
        '850': '850/bots-plugins__850-004010-04.x12',
        '855': '855/bots-plugins__855-004010UCS-01.x12',
        '856': '856/bots-plugins__856_1.x12',
        '810': '810/bots-plugins__810_1.x12',
        '997': '997/bots-plugins__997_6.x12',
        '999': '999/staedi__simple999.edi',
      };
      for (const doc of docs(files[set]!)) {
        const ok = validate(doc);
        expect(validate.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
      }
    },
  );
});
