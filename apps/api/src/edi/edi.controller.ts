import {
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { InvalidInputError } from '@edi/contracts';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { TradingPartner } from '@edi/persistence';
import type { Pipeline, Receipt } from '@edi/pipeline';
import type { Request } from 'express';
import { Partner, PartnerGuard } from '../common/partner.guard';
import { PIPELINE } from '../common/tokens';
import { limitedBody, streamedLimit } from './large-body';

@ApiTags('ingest')
@ApiHeader({ name: 'X-API-Key', required: true, description: "the partner's API key" })
@Controller('v1/edi')
@UseGuards(PartnerGuard)
export class EdiController {
  constructor(@Inject(PIPELINE) private readonly pipeline: Pipeline) {}

  /** Stores the raw bytes, then translates; answers only after the bytes are committed. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Send X12 (one or more interchanges). Answers 202 once the bytes are stored.' })
  @ApiConsumes('application/edi-x12', 'text/plain', 'application/octet-stream')
  @ApiBody({ schema: { type: 'string', example: 'ISA*00*…~' } })
  @ApiQuery({
    name: 'wait',
    required: false,
    description: 'true: answer when translated, with the TA1/997/999 inline',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retry with the same key returns the first answer',
  })
  @ApiResponse({ status: 202, description: 'stored (and, with wait=true, translated and acknowledged)' })
  @ApiResponse({ status: 401, description: 'missing, wrong or revoked API key' })
  @ApiResponse({ status: 413, description: "body over EDI_BODY_LIMIT (or over the partner's maxBodyBytes)" })
  async submit(
    @Partner() partner: TradingPartner,
    @Req() req: Request,
    @Query('wait') wait?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<Receipt> {
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
      throw new InvalidInputError('Idempotency-Key must be 1-200 characters');
    }
    const options = { wait: wait === 'true' || wait === '1', idempotencyKey };
    // a partner allowed a larger body: stored as it streams in, never held whole
    const limit = streamedLimit(req);
    if (limit !== undefined)
      return this.pipeline.submitStream(partner, limitedBody(req, limit), 'http', options);
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new InvalidInputError('the body must be the X12 text');
    return this.pipeline.submit(partner, body, 'http', options);
  }
}
