import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ConflictError, DELIVERY_CHANNELS, InvalidInputError, NotFoundError } from '@edi/contracts';
import { TradingPartners, type ApiKeys, type SecretBox, type TradingPartner } from '@edi/persistence';
import { z } from 'zod';
import { AdminGuard } from '../common/admin.guard';
import { checkPartnerErp, refusedHost } from '@edi/erp';
import { PartnerRules } from '@edi/pipeline';
import { OutboundPolicy, SftpSettings } from '@edi/transport';
import { APP_CONFIG, type AppConfig } from '../config';
import { API_KEYS, ERP_HOSTS, SECRETS } from '../common/tokens';
import { parseInput } from '../common/validate';
import { partnerView as view } from '../common/partner-view';

/** The fields of a partner, no defaults: what PATCH accepts (a field not sent stays as it is). */
const PartnerFields = z.object({
  name: z.string().min(1).max(100),
  isaQualifier: z.string().regex(/^[0-9A-Z]{2}$/),
  isaId: z.string().min(1).max(15),
  ourIsaQualifier: z.string().regex(/^[0-9A-Z]{2}$/),
  ourIsaId: z.string().min(1).max(15),
  gsId: z.string().min(1).max(15).nullable(),
  ourGsId: z.string().min(1).max(15).nullable(),
  x12Version: z.string().regex(/^00[345]0[0-9]0[A-Z0-9]{0,6}$/, 'an X12 version such as 004010 or 005010'),
  ackKind: z.enum(['auto', '997', '999']),
  ta1: z.enum(['auto', 'always', 'never']),
  deliveryChannel: z.enum(DELIVERY_CHANNELS),
  webhookUrl: z.string().url().nullable(),
  erpCustomerId: z.string().max(64).nullable(),
  mapProfile: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .nullable(),
  // checked against the ERP stage's rules now, so a typo is a 400 here and not a failed PO later
  rules: PartnerRules.superRefine((r, ctx) => {
    const why = r.erp === undefined ? undefined : checkPartnerErp(r.erp);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  }).nullable(),
  /** The key our webhook posts are signed with; write-only (never returned), stored sealed. */
  webhookSecret: z.string().min(16).max(200).nullable(),
  /** The partner's SFTP server (host, user, password or key, pinned host key, folders); write-only, sealed. */
  sftp: SftpSettings.nullable(),
  /** The partner's mailbox on our SFTP server (made with `edi mailbox provision <name>`). */
  mailbox: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,24}$/)
    .nullable(),
  /** How long the partner has to acknowledge what we send (seconds, a minute to 30 days). */
  ackOverdueSeconds: z.number().int().min(60).max(2_592_000),
  /** Windows by set that override it, e.g. {"856": 14400}. */
  ackOverdueSecondsBySet: z
    .record(
      z.string().regex(/^\d{3}$/, 'a transaction set id such as 856'),
      z.number().int().min(60).max(2_592_000),
    )
    .nullable(),
  /** test: ISA15 must be T and no real order is made; production: ISA15 must be P. */
  mode: z
    .enum(['test', 'production'])
    .describe(
      'test: its interchanges must say ISA15 T, its POs run against a dry-run ERP (no real order) and everything of it is marked test; production: ISA15 must be P',
    ),
  /** Where our events about this partner go (ack.rejected, ack.overdue); null = EDI_EVENTS_URL. */
  eventsUrl: z.string().url().nullable(),
  /** The largest body this partner may post, above EDI_BODY_LIMIT (a nightly batch); streamed to storage. */
  maxBodyBytes: z.number().int().min(1).max(2_000_000_000).nullable(),
});
/** What POST accepts: the same, with defaults for the optional ones. */
const PartnerInput = PartnerFields.extend({
  gsId: PartnerFields.shape.gsId.default(null),
  ourGsId: PartnerFields.shape.ourGsId.default(null),
  x12Version: PartnerFields.shape.x12Version.default('004010'),
  ackKind: PartnerFields.shape.ackKind.default('auto'),
  ta1: PartnerFields.shape.ta1.default('auto'),
  deliveryChannel: PartnerFields.shape.deliveryChannel.default('outbox'),
  webhookUrl: PartnerFields.shape.webhookUrl.default(null),
  erpCustomerId: PartnerFields.shape.erpCustomerId.default(null),
  mapProfile: PartnerFields.shape.mapProfile.default(null),
  rules: PartnerFields.shape.rules.default(null),
  webhookSecret: PartnerFields.shape.webhookSecret.default(null),
  sftp: PartnerFields.shape.sftp.default(null),
  mailbox: PartnerFields.shape.mailbox.default(null),
  ackOverdueSeconds: PartnerFields.shape.ackOverdueSeconds.default(86_400),
  ackOverdueSecondsBySet: PartnerFields.shape.ackOverdueSecondsBySet.default(null),
  mode: PartnerFields.shape.mode.default('production'),
  eventsUrl: PartnerFields.shape.eventsUrl.default(null),
  maxBodyBytes: PartnerFields.shape.maxBodyBytes.default(null),
});
const Id = z.string().uuid();
/** A body schema as /docs shows it, made from the schema that checks it. */
const openApi = (schema: z.ZodType): SchemaObject =>
  z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as SchemaObject;
/** Who the audit trail says did it: the holder of EDI_ADMIN_TOKEN. */
const ACTOR = 'admin-token';

/** Trading partners and their API keys. Only with EDI_ADMIN_TOKEN set, and its bearer token. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    @Inject(TradingPartners) private readonly partners: TradingPartners,
    @Inject(API_KEYS) private readonly keys: ApiKeys,
    @Inject(SECRETS) private readonly secrets: SecretBox | null,
    @Inject(ERP_HOSTS) private readonly erpHosts: readonly string[],
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.outbound = OutboundPolicy.fromList(config.EDI_OUTBOUND_ALLOWED_HOSTS);
  }

  private readonly outbound: OutboundPolicy;

  @Get('partners')
  async list() {
    return (await this.partners.allWithSecrets()).map(view);
  }

  @Post('partners')
  @ApiOperation({ summary: 'Create a trading partner' })
  @ApiBody({ schema: openApi(PartnerInput) })
  async create(@Body() body: unknown) {
    const input = parseInput(PartnerInput, body);
    const taken = await this.partners.byIsa(input.isaQualifier, input.isaId);
    if (taken)
      throw new ConflictError(`partner ${input.isaQualifier}/${input.isaId} exists already (${taken.id})`);
    await this.mailboxFree(input.mailbox, undefined);
    this.erpHostAllowed(input.rules);
    await this.destinationsAllowed(input);
    const saved = await this.partners.create(
      {
        ...input,
        webhookSecret: this.seal(input.webhookSecret),
        sftp: this.seal(input.sftp && JSON.stringify(input.sftp)),
      },
      ACTOR,
    );
    return view(saved);
  }

  @Get('partners/:id')
  async get(@Param('id') id: string) {
    return view(await this.partner(id));
  }

  private async partner(id: string): Promise<TradingPartner> {
    const p = await this.partners.withSecrets(parseInput(Id, id));
    if (!p) throw new NotFoundError('no such partner');
    return p;
  }

  /** A partner's own ERP may be called only on the allowed hosts (EDI_ERP_ALLOWED_HOSTS). */
  private erpHostAllowed(rules: { erp?: unknown } | null | undefined): void {
    const why = rules?.erp === undefined ? undefined : refusedHost(rules.erp, this.erpHosts);
    if (why) throw new InvalidInputError(why);
  }

  /**
   * The webhook URL and SFTP host by the outbound policy, so a loopback or metadata address is a
   * 400 now. Delivery checks again as it connects (DNS may change): that check is the one that counts.
   */
  private async destinationsAllowed(p: {
    webhookUrl?: string | null;
    eventsUrl?: string | null;
    sftp?: { host: string; port: number } | null;
  }): Promise<void> {
    const hook = p.webhookUrl ? await this.outbound.checkUrl(p.webhookUrl) : undefined;
    if (hook) throw new InvalidInputError(`webhookUrl: ${hook}`);
    const events = p.eventsUrl ? await this.outbound.checkUrl(p.eventsUrl) : undefined;
    if (events) throw new InvalidInputError(`eventsUrl: ${events}`);
    const sftp = p.sftp ? await this.outbound.checkHost(p.sftp.host, p.sftp.port) : undefined;
    if (sftp) throw new InvalidInputError(`sftp.host: ${sftp}`);
  }

  /** One partner per mailbox: two would take each other's files. */
  private async mailboxFree(mailbox: string | null | undefined, self: string | undefined): Promise<void> {
    if (!mailbox) return;
    const taken = await this.partners.byMailbox(mailbox);
    if (taken && taken.id !== self)
      throw new ConflictError(`mailbox ${mailbox} belongs to partner ${taken.id}`);
  }

  /** Secrets (webhook key, SFTP settings) are kept sealed with EDI_SECRETS_KEY: without it there is nowhere safe to keep them. */
  private seal(secret: string | null | undefined): string | null {
    if (!secret) return null;
    if (!this.secrets)
      throw new InvalidInputError(
        'webhookSecret and sftp need EDI_SECRETS_KEY set on the server, to store them sealed',
      );
    return this.secrets.seal(secret);
  }

  @Patch('partners/:id')
  @ApiOperation({ summary: 'Change a trading partner: the fields sent change, the others stay' })
  @ApiBody({ schema: openApi(PartnerFields.partial()) })
  async update(@Param('id') id: string, @Body() body: unknown) {
    const p = await this.partner(id);
    const { webhookSecret, sftp, ...changes } = parseInput(PartnerFields.partial(), body);
    const isaQualifier = changes.isaQualifier ?? p.isaQualifier;
    const isaId = changes.isaId ?? p.isaId;
    const taken = await this.partners.byIsa(isaQualifier, isaId);
    if (taken && taken.id !== p.id)
      throw new ConflictError(`partner ${isaQualifier}/${isaId} exists already (${taken.id})`);
    await this.mailboxFree(changes.mailbox, p.id);
    this.erpHostAllowed(changes.rules);
    await this.destinationsAllowed({ webhookUrl: changes.webhookUrl, eventsUrl: changes.eventsUrl, sftp });
    if (webhookSecret !== undefined) p.webhookSecret = this.seal(webhookSecret);
    if (sftp !== undefined) p.sftp = this.seal(sftp && JSON.stringify(sftp));
    const fields = [
      ...Object.keys(changes),
      ...(webhookSecret !== undefined ? ['webhookSecret'] : []),
      ...(sftp !== undefined ? ['sftp'] : []),
    ];
    return view(await this.partners.update(Object.assign(p, changes), fields, ACTOR));
  }

  @Delete('partners/:id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    const p = await this.partner(id);
    await this.keys.revokeAll(p.id); // through ApiKeys, so its cache forgets the keys at once
    await this.partners.remove(p.id, ACTOR);
  }

  @Get('partners/:id/keys')
  async listKeys(@Param('id') id: string) {
    const p = await this.partner(id);
    const keys = await this.keys.ofPartner(p.id);
    return keys.map(({ keyHash: _hash, ...k }) => k);
  }

  @Post('partners/:id/keys')
  @ApiOperation({ summary: 'Issue an API key: the key is in this answer and nowhere else, ever' })
  async issueKey(@Param('id') id: string, @Body() body: unknown) {
    const p = await this.partner(id);
    const { label } = parseInput(z.object({ label: z.string().max(100).optional() }), body ?? {});
    const { key, record } = await this.keys.issue(p.id, label);
    await this.partners.record(p.id, 'key.issued', ACTOR, { keyId: record.id, prefix: record.prefix });
    return { id: record.id, prefix: record.prefix, label: record.label, key };
  }

  @Delete('partners/:id/keys/:keyId')
  @HttpCode(204)
  async revokeKey(@Param('id') id: string, @Param('keyId') keyId: string): Promise<void> {
    const p = await this.partner(id);
    if (!(await this.keys.revoke(p.id, parseInput(Id, keyId)))) throw new NotFoundError('no such active key');
    await this.partners.record(p.id, 'key.revoked', ACTOR, { keyId });
  }
}
