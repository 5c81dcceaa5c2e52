import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { certificatesFromPem, identityList, parseAs2Name, type OurIdentities } from '@edi/as2';
import { ConflictError, InvalidInputError, NotFoundError } from '@edi/contracts';
import { As2Store, TradingPartners, type As2Partner } from '@edi/persistence';
import type { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { AdminGuard } from '../common/admin.guard';
import { parseInput } from '../common/validate';
import { APP_CONFIG, type AppConfig } from '../config';
import { AS2_IDENTITIES, AS2_STORE } from './as2.tokens';
import { certificateView } from './certificates';

const As2Name = z.string().refine((v) => parseAs2Name(v) === v, '1-128 printable ASCII characters');

/** A partner's AS2 settings as PUT takes them; the defaults are what large retailers ask for. */
const As2Input = z.object({
  as2Name: As2Name,
  /** Ours with this partner; default EDI_AS2_NAME. */
  ourAs2Name: As2Name.optional(),
  url: z.string().url().nullable().default(null),
  /** PEM: the partner's certificate, or two during their rollover. */
  certificates: z.string().max(64 * 1024),
  ourCertificate: z.enum(['current', 'next']).default('current'),
  signHash: z.enum(['sha1', 'sha256', 'sha384', 'sha512']).nullable().default('sha256'),
  cipher: z.enum(['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'des-ede3-cbc']).nullable().default('aes256-cbc'),
  keyEncryption: z.enum(['rsa-pkcs1', 'rsa-oaep']).default('rsa-pkcs1'),
  compress: z.boolean().default(false),
  mdn: z.enum(['sync', 'async', 'none']).default('sync'),
  mdnSigned: z.boolean().default(true),
  mdnTimeoutSeconds: z.number().int().min(5).max(86_400).default(600),
  requireSigned: z.boolean().default(true),
  requireEncrypted: z.boolean().default(true),
});

function view(s: As2Partner) {
  return {
    ...s,
    certificates: certificatesFromPem(s.certificates).map((c) => certificateView(c)),
    pem: s.certificates,
  };
}

/** AS2 settings per partner, and our own AS2 certificate to give partners. Admin token only. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
@UseGuards(AdminGuard)
export class As2AdminController {
  constructor(
    @Inject(AS2_STORE) private readonly store: As2Store,
    @Inject(TradingPartners) private readonly partners: TradingPartners,
    @Inject(AS2_IDENTITIES) private readonly ours: OurIdentities | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('as2')
  @ApiOperation({ summary: 'Our AS2 name, URL and certificate(s): what a new partner needs from us' })
  ourSide() {
    if (!this.ours) throw new NotFoundError('AS2 is not set up (EDI_AS2_KEY_FILE, EDI_AS2_CERT_FILE)');
    return {
      as2Name: this.config.EDI_AS2_NAME ?? null,
      receiptUrl: this.config.EDI_AS2_RECEIPT_URL ?? null,
      certificates: identityList(this.ours).map((i, n) => ({
        use: n === 0 ? 'current' : 'next',
        ...certificateView(i.certificate),
        pem: i.certificate.toString(),
      })),
    };
  }

  @Get('partners/:id/as2')
  async get(@Param('id') id: string) {
    const s = await this.store.settings(id);
    if (!s) throw new NotFoundError(`partner ${id} has no AS2 settings`);
    return view(s);
  }

  @Put('partners/:id/as2')
  @ApiOperation({
    summary: "Set a partner's AS2 settings (their AS2 name, URL, certificate, algorithms, receipts)",
  })
  async put(@Param('id') id: string, @Body() body: unknown) {
    const input = parseInput(As2Input, body);
    if (!(await this.partners.byId(id))) throw new NotFoundError(`no partner ${id}`);
    const ourAs2Name = input.ourAs2Name ?? this.config.EDI_AS2_NAME;
    if (!ourAs2Name) throw new InvalidInputError('ourAs2Name: give it, or set EDI_AS2_NAME');
    const certs = this.certificates(input.certificates);
    if (input.ourCertificate === 'next' && !this.ours?.next)
      throw new InvalidInputError(
        'ourCertificate: next needs EDI_AS2_NEXT_KEY_FILE and EDI_AS2_NEXT_CERT_FILE',
      );
    const other = (await this.store.partnerByName(input.as2Name))?.partner;
    if (other && other.id !== id)
      throw new ConflictError(`the AS2 name ${input.as2Name} belongs to partner ${other.id} already`);
    const saved = await this.store.saveSettings({
      ...input,
      partnerId: id,
      ourAs2Name,
      certificates: certs.map((c) => c.toString()).join(''),
    });
    return view(saved);
  }

  @Delete('partners/:id/as2')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.store.removeSettings(id);
  }

  /** One or two certificates, each RSA and valid now: an expired one is refused here, not at the first message. */
  private certificates(pem: string): X509Certificate[] {
    let certs: X509Certificate[];
    try {
      certs = certificatesFromPem(pem);
    } catch (e) {
      throw new InvalidInputError(`certificates: not a PEM certificate (${(e as Error).message})`);
    }
    if (certs.length < 1 || certs.length > 2)
      throw new InvalidInputError(
        `certificates: one PEM certificate, or two during a rollover (got ${certs.length})`,
      );
    const now = new Date();
    for (const c of certs) {
      if (c.publicKey.asymmetricKeyType !== 'rsa')
        throw new InvalidInputError(`certificates: ${c.subject} is not an RSA certificate`);
      if (new Date(c.validTo) < now)
        throw new InvalidInputError(
          `certificates: ${c.subject} expired on ${new Date(c.validTo).toISOString()}`,
        );
    }
    return certs;
  }
}
