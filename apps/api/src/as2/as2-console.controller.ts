import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { certificatesFromPem, identityList, type OurIdentities } from '@edi/as2';
import { NotFoundError } from '@edi/contracts';
import { TradingPartners, type As2Store } from '@edi/persistence';
import { z } from 'zod';
import { parseInput } from '../common/validate';
import { Id } from '../console/console-input';
import { SESSION_COOKIE, StaffGuard } from '../console/staff.guard';
import { AS2_IDENTITIES, AS2_STORE } from './as2.tokens';
import { certificateView, type CertificateView } from './certificates';

const Ids = z.array(Id).max(100);

export interface CertificateRow extends CertificateView {
  /** ours, or the partner's */
  owner: 'us' | 'partner';
  use?: 'current' | 'next';
  partnerId?: string;
  partnerName?: string;
  as2Name?: string;
}

/** AS2 as staff see it: each partner's settings, and every certificate by how soon it expires. */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console')
@UseGuards(StaffGuard)
export class As2ConsoleController {
  constructor(
    @Inject(AS2_STORE) private readonly store: As2Store,
    @Inject(TradingPartners) private readonly partners: TradingPartners,
    @Inject(AS2_IDENTITIES) private readonly ours: OurIdentities | null,
  ) {}

  @Get('as2/certificates')
  @ApiOperation({ summary: 'Our AS2 certificates and every partner’s, the soonest to expire first' })
  async certificates(): Promise<{ items: CertificateRow[] }> {
    const rows: CertificateRow[] = this.ours
      ? identityList(this.ours).map((i, n) => ({
          owner: 'us',
          use: n === 0 ? 'current' : 'next',
          ...certificateView(i.certificate),
        }))
      : [];
    for (const s of await this.store.allSettings()) {
      const partner = await this.partners.byId(s.partnerId);
      for (const c of certificatesFromPem(s.certificates))
        rows.push({
          owner: 'partner',
          partnerId: s.partnerId,
          partnerName: partner?.name ?? s.partnerId,
          as2Name: s.as2Name,
          ...certificateView(c),
        });
    }
    return { items: rows.sort((a, b) => a.daysLeft - b.daysLeft) };
  }

  @Get('as2/messages')
  @ApiOperation({
    summary:
      'The AS2 messages (and their receipts) that brought an interchange or carried outbound documents',
  })
  async messages(@Query('interchange') interchange?: string, @Query('documents') documents?: string) {
    const interchangeId = interchange ? parseInput(Id, interchange) : null;
    const documentIds = parseInput(Ids, documents ? documents.split(',') : []);
    const rows = await this.store.forTimeline(interchangeId, documentIds);
    return {
      items: rows.map((m) => ({
        id: m.id,
        direction: m.direction,
        messageId: m.messageId,
        status: m.status,
        disposition: m.disposition,
        mic: m.mic,
        error: m.error,
        receipt: m.mdnHeaders !== null,
        at: new Date(m.createdAt).toISOString(),
      })),
    };
  }

  @Get('partners/:id/as2')
  @ApiOperation({ summary: "A partner's AS2 settings, with its certificates' dates" })
  async partner(@Param('id') id: string) {
    const s = await this.store.settings(parseInput(Id, id));
    if (!s) throw new NotFoundError('this partner has no AS2 settings');
    const { certificates, ...settings } = s;
    return { ...settings, certificates: certificatesFromPem(certificates).map((c) => certificateView(c)) };
  }
}
