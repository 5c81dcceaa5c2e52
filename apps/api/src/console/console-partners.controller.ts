import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError, type PartnerDetail, type PartnerRow } from '@edi/contracts';
import { TradingPartners, type ApiKeys, type StaffUser, type TradingPartner } from '@edi/persistence';
import { z } from 'zod';
import { partnerView } from '../common/partner-view';
import { API_KEYS } from '../common/tokens';
import { parseInput } from '../common/validate';
import { Id } from './console-input';
import { NeedsRole, SESSION_COOKIE, Staff, StaffGuard } from './staff.guard';

type Signed = { user: StaffUser };

/** Partners as staff see them: channel, SFTP health, activity and problems; API keys issued and revoked here. */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console/partners')
@UseGuards(StaffGuard)
export class ConsolePartnersController {
  constructor(
    @Inject(TradingPartners) private readonly partners: TradingPartners,
    @Inject(API_KEYS) private readonly keys: ApiKeys,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Partners with their channel, SFTP health, last activity and problem count' })
  async list(): Promise<{ items: PartnerRow[] }> {
    return { items: await this.rows() };
  }

  @Get(':id')
  @ApiOperation({
    summary: "A partner's profile, channels, SFTP health and API keys (never the keys themselves)",
  })
  async one(@Param('id') id: string): Promise<PartnerDetail> {
    const p = await this.partners.withSecrets(parseInput(Id, id));
    if (!p) throw new NotFoundError('no such partner');
    const [row] = await this.rows(p);
    const keys = await this.keys.ofPartner(p.id);
    const { webhookSigned: _w, ...profile } = partnerView(p);
    return {
      ...profile,
      ...row!,
      createdAt: p.createdAt.toISOString(),
      keys: keys.map((k) => ({
        id: k.id,
        prefix: k.prefix,
        label: k.label,
        createdAt: k.createdAt.toISOString(),
        revokedAt: k.revokedAt,
      })),
    };
  }

  @Post(':id/keys')
  @NeedsRole('admin')
  @ApiOperation({ summary: 'Issue an API key for the partner: the key is in this answer and nowhere else' })
  async issueKey(@Param('id') id: string, @Body() body: unknown, @Staff() s: Signed) {
    const partnerId = parseInput(Id, id);
    const { label } = parseInput(z.object({ label: z.string().trim().max(100).optional() }), body ?? {});
    if (!(await this.partners.exists(partnerId))) throw new NotFoundError('no such partner');
    const { key, record } = await this.keys.issue(partnerId, label || undefined);
    await this.partners.record(partnerId, 'key.issued', s.user.username, {
      keyId: record.id,
      prefix: record.prefix,
    });
    return { id: record.id, prefix: record.prefix, key };
  }

  @Delete(':id/keys/:keyId')
  @HttpCode(204)
  @NeedsRole('admin')
  @ApiOperation({
    summary: "Revoke one of the partner's API keys (at once in this process, within 5 s in others)",
  })
  async revokeKey(@Param('id') id: string, @Param('keyId') keyId: string, @Staff() s: Signed): Promise<void> {
    const partnerId = parseInput(Id, id);
    if (!(await this.keys.revoke(partnerId, parseInput(Id, keyId))))
      throw new NotFoundError('no such active key');
    await this.partners.record(partnerId, 'key.revoked', s.user.username, { keyId });
  }

  /** Every partner, or only the one given, with its counts. */
  private async rows(only?: TradingPartner): Promise<PartnerRow[]> {
    const [partners, activity] = await Promise.all([
      only ? [only] : this.partners.list(),
      this.partners.activity(only?.id),
    ]);
    return partners.map((p) => {
      const a = activity.get(p.id);
      return {
        id: p.id,
        name: p.name,
        isaQualifier: p.isaQualifier,
        isaId: p.isaId,
        deliveryChannel: p.deliveryChannel,
        mode: p.mode,
        sftpHealth: p.sftpHealth,
        lastActivityAt: a?.lastActivityAt ?? null,
        transactions: a?.transactions ?? 0,
        problems: a?.problems ?? 0,
      };
    });
  }
}
