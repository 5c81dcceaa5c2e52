import { Controller, Inject, NotFoundException, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { As2Inbox } from './as2-inbox';

/** The AS2 inbox, or null when our AS2 key and certificate are not configured. */
import { AS2_INBOX } from './as2.tokens';

/** AS2 (RFC 4130): partners authenticate by their signature, not an API key. */
@ApiTags('as2')
@Controller('as2')
export class As2Controller {
  constructor(@Inject(AS2_INBOX) private readonly inbox: As2Inbox | null) {}

  @Post()
  @ApiOperation({
    summary:
      'Receive an AS2 message (signed, encrypted and/or compressed EDI). Stored before anything else; answered with a receipt (MDN), in this answer or asynchronously.',
  })
  @ApiConsumes('application/pkcs7-mime', 'multipart/signed', 'application/edi-x12')
  @ApiHeader({ name: 'AS2-From', required: true })
  @ApiHeader({ name: 'AS2-To', required: true })
  @ApiHeader({ name: 'Message-ID', required: true })
  @ApiResponse({ status: 200, description: 'the receipt, whose Disposition says processed or which error' })
  @ApiResponse({ status: 400, description: 'not an AS2 message (AS2-From, AS2-To or Message-ID missing)' })
  @ApiResponse({ status: 503, description: 'stored but not processed yet: send it again' })
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.inbox)
      throw new NotFoundException('AS2 is not set up here (EDI_AS2_KEY_FILE, EDI_AS2_CERT_FILE)');
    const body: unknown = req.body;
    const answer = await this.inbox.receive(req.headers, Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    res.status(answer.status).set(answer.headers).send(answer.body);
  }
}
