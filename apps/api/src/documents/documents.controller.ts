import { Body, Controller, HttpCode, HttpStatus, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { MapRegistry } from '@edi/mapping';
import type { TradingPartner } from '@edi/persistence';
import { DomainError } from '@edi/contracts';
import type { Pipeline } from '@edi/pipeline';
import { z } from 'zod';
import { Partner, PartnerGuard } from '../common/partner.guard';
import { MAPS, PIPELINE } from '../common/tokens';
import { parseInput } from '../common/validate';

const SetId = z.string().regex(/^\d{3}$/, 'the set is three digits, e.g. 855');
const Envelope = z
  .object({
    version: z
      .string()
      .regex(/^\d{6}[A-Z0-9]{0,6}$/)
      .optional(),
    inReplyTo: z.string().uuid().optional(),
  })
  .passthrough();

/**
 * JSON in, X12 out to the partner: the caller sends the canonical document (as GET
 * /v1/transactions/:id shows one; envelope fields are ours to fill), we number it, write it
 * through the map, check it against our own guide and put it in the partner's outbox or push it.
 */
@ApiTags('documents')
@ApiHeader({ name: 'X-API-Key', required: true })
@Controller('v1/documents')
@UseGuards(PartnerGuard)
export class DocumentsController {
  constructor(
    @Inject(PIPELINE) private readonly pipeline: Pipeline,
    @Inject(MAPS) private readonly maps: MapRegistry,
  ) {}

  @Post(':set')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Send a document (855, 856, 810…) given as canonical JSON; answers with the X12 made',
  })
  @ApiParam({ name: 'set', example: '855' })
  @ApiBody({
    schema: {
      type: 'object',
      example: {
        version: '004010',
        purchaseOrderAcknowledgment: { purpose: '00', type: 'AD', poNumber: 'PO-1' },
      },
    },
    description:
      'The document body under its key (see docs/schemas/<set>-<version>.json); version defaults to 004010',
  })
  @ApiResponse({ status: 201, description: 'built, stored and queued for the partner' })
  @ApiResponse({
    status: 422,
    description: 'the document does not fit its schema or guide; each problem is named',
  })
  async send(@Partner() partner: TradingPartner, @Param('set') set: string, @Body() body: unknown) {
    const setId = parseInput(SetId, set);
    const input = parseInput(Envelope, body);
    const version = this.maps.resolveVersion(setId, input.version ?? partner.x12Version);
    if (!version) throw new DomainError('unprocessable', `no map for transaction set ${setId}`);
    const key = this.maps.get(setId, version, partner.mapProfile ?? undefined).document;
    const document = input[key];
    if (!document || typeof document !== 'object' || Array.isArray(document))
      throw new DomainError('unprocessable', `a ${setId} needs its "${key}" object`);
    // a document that does not fit is an OutboundError: 422, each problem named
    const { transaction, document: out } = await this.pipeline.send(partner, {
      transactionSet: setId,
      version: input.version,
      document: document as Record<string, unknown>,
      inReplyTo: input.inReplyTo ?? null,
    });
    return {
      transactionId: transaction.id,
      documentId: out.id,
      controlNumber: out.controlNumber,
      channel: out.channel,
      status: out.status,
      x12: out.x12,
    };
  }
}
