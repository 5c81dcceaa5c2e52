import { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { openDatabase, type PersistenceConfig } from '../data-source';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { Outbox } from './outbox.repository';
import { PartnerChannels } from './partner-channels.repository';

describe.each(databaseConfigs())('Outbox.forDelivery on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let partner: TradingPartner;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    const partners = ds.getRepository(TradingPartner);
    partner = await partners.save(
      partners.create({
        name: 'Acme',
        isaQualifier: 'ZZ',
        isaId: 'ACME',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'US',
        deliveryChannel: 'webhook',
        webhookUrl: 'https://acme.example/edi',
        webhookSecret: 'sealed:secret',
      }),
    );
  });

  afterAll(async () => {
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  const stored = async (fields: Partial<OutboundDocument>) => {
    const outbox = new Outbox(ds);
    const doc = outbox.create({
      partnerId: partner.id,
      interchangeId: null,
      transactionId: null,
      kind: '855',
      controlNumber: '000000001',
      x12: 'ISA*00*…~',
      channel: 'webhook',
      status: 'pending',
      ackReasons: [{ code: 'R', text: 'json column' }] as unknown as OutboundDocument['ackReasons'],
      test: true,
      ...fields,
    });
    await outbox.insert(doc);
    return doc.id;
  };

  it('reads the document as find() does, with its partner’s webhook URL and sealed secret', async () => {
    const id = await stored({});
    const found = await new Outbox(ds).forDelivery(id);
    expect(found!.document).toEqual(await new Outbox(ds).find(id));
    expect(found!.document).toBeInstanceOf(OutboundDocument);
    const full = await new PartnerChannels(ds).withWebhookSecret(partner.id);
    expect(found!.partner).toEqual({ webhookUrl: full.webhookUrl, webhookSecret: full.webhookSecret });
    expect(found!.partner!.webhookSecret).toBe('sealed:secret');
  });

  it('answers null for no such document, and a null partner for a document whose partner row is gone', async () => {
    expect(await new Outbox(ds).forDelivery('00000000-0000-0000-0000-000000000000')).toBeNull();
    const id = await stored({ partnerId: '11111111-1111-1111-1111-111111111111' });
    const found = await new Outbox(ds).forDelivery(id);
    expect(found!.document.id).toBe(id);
    expect(found!.partner).toBeNull();
  });
});
