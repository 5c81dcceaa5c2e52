import { BadRequestException, HttpStatus } from '@nestjs/common';
import { As2Error, As2IdentityError, MimeError } from '@edi/as2';
import { StaffError } from '@edi/auth';
import { ConfigError } from '@edi/config';
import { ConflictError, DomainError, ERROR_CODES, InvalidInputError, NotFoundError } from '@edi/contracts';
import { ErpError } from '@edi/erp';
import { MapError } from '@edi/mapping';
import { SecretError } from '@edi/persistence';
import { DeliveryFailed } from '@edi/pipeline';
import { OutboundRefused, SftpError } from '@edi/transport';
import { X12_FATAL_CODES, X12Error, tokenizeBuffer } from '@edi/x12';
import type { Request } from 'express';
import { limitedBody } from '../edi/large-body';
import { HTTP_STATUS, errorBody } from './error.filter';

describe('the error table', () => {
  it('gives every domain error code an HTTP status, a 4xx unless the fault is on our side', () => {
    for (const code of ERROR_CODES) {
      const status: number = HTTP_STATUS[code];
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status < 500 || code === 'unavailable' || code === 'misconfigured').toBe(true);
    }
    for (const code of X12_FATAL_CODES) expect(HTTP_STATUS[code]).toBe(400);
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(
      [...ERROR_CODES, ...X12_FATAL_CODES, 'map_invalid'].sort(),
    );
  });

  it.each([
    [new InvalidInputError('limit: too big'), 400, 'invalid_input'],
    [new NotFoundError('no such transaction'), 404, 'not_found'],
    [new ConflictError('exists already'), 409, 'conflict'],
    [new DomainError('unprocessable', 'would still fail'), 422, 'unprocessable'],
    [
      new StaffError('invalid', 'wrong username or password', undefined, 'unauthenticated'),
      401,
      'unauthenticated',
    ],
    [new StaffError('locked', 'too many failed sign-ins', 30), 429, 'rate_limited'],
    [new StaffError('exists', 'staff member ada already exists'), 409, 'conflict'],
    [new StaffError('weak', 'a password needs at least 12 characters'), 400, 'invalid_input'],
    [new DomainError('disabled', 'ERP events are off'), 404, 'disabled'],
    [new DomainError('unavailable', 'database: gone'), 503, 'unavailable'],
  ])('%s is %i with code %s, its message kept', (e, status, code) => {
    expect(errorBody(e, 'c-1')).toEqual({
      statusCode: status,
      code,
      message: e.message,
      correlationId: 'c-1',
    });
  });

  it('keeps where the input went wrong', () => {
    const e = new DomainError('unprocessable', 'still wrong', { problems: [{ position: 3, message: 'x' }] });
    expect(errorBody(e, 'c-2').problems).toEqual([{ position: 3, message: 'x' }]);
  });

  it("reads Nest's and body-parser's statuses, and says nothing of an unforeseen error but 500", () => {
    expect(errorBody(new BadRequestException('bad'), 'c')).toMatchObject({
      statusCode: 400,
      code: 'invalid_input',
    });
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413 });
    expect(errorBody(tooLarge, 'c')).toEqual({
      statusCode: 413,
      code: 'body_too_large',
      message: 'request entity too large',
      correlationId: 'c',
    });
    expect(errorBody(new Error('SQLITE_BUSY at /data/edi.sqlite'), 'c')).toEqual({
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      message: 'internal error',
      correlationId: 'c',
    });
  });
});

it("answers the streamed body's own limit (limitedBody) with the same code as body-parser's", async () => {
  // declared over the limit: refused before anything is read
  const req = { headers: { 'content-length': '2048' } } as unknown as Request;
  const refusal = await limitedBody(req, 1024)
    .next()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(errorBody(refusal, 'c')).toMatchObject({ statusCode: 413, code: 'body_too_large' });
});

describe("the libraries' errors", () => {
  /** Input no reader gets past: an X12Error as the tokenizer throws it, not made by hand. */
  function unreadable(): X12Error {
    try {
      tokenizeBuffer(Buffer.from('GS*PO*A*B~'));
    } catch (e) {
      return e as X12Error;
    }
    throw new Error('the tokenizer read input without an ISA');
  }

  it.each([
    ['X12Error', 'ISA_EXPECTED', 400, unreadable()],
    ['MapError', 'map_invalid', 500, new MapError('edi-maps: no house map for transaction set 999')],
    ['ErpError (refused)', 'erp_refused', 500, new ErpError('ERP createOrder: HTTP 400', 400)],
    ['ErpError (down)', 'erp_unavailable', 500, new ErpError('ERP createOrder: HTTP 503', 503)],
    ['ErpError (answer)', 'erp_answer', 500, new ErpError('unreadable answer', 200, 'answer')],
    ['SftpError', 'sftp_host_key', 500, new SftpError('host key changed', 'host-key')],
    ['OutboundRefused', 'OUTBOUND_REFUSED', 500, new OutboundRefused('127.0.0.1 is loopback', '127.0.0.1')],
    ['As2Error', 'decryption-failed', 500, new As2Error('decryption-failed', 'not for our key')],
    ['As2IdentityError', 'as2_identity_invalid', 500, new As2IdentityError('the AS2 key must be RSA')],
    ['MimeError', 'mime_malformed', 500, new MimeError('no empty line ends the MIME headers')],
    ['ConfigError', 'config_invalid', 500, new ConfigError('configuration: PORT: too big')],
    ['SecretError', 'secret_unreadable', 500, new SecretError('secret_unreadable', 'not a sealed secret')],
    ['DeliveryFailed', 'delivery_failed', 500, new DeliveryFailed('webhook delivery failed: 502')],
  ])('%s is a DomainError with code %s, answered %i', (_name, code, status, e: DomainError<string>) => {
    expect(e).toBeInstanceOf(DomainError);
    expect(e.code).toBe(code);
    expect(e.name).toBe(e.constructor.name);
    const body = errorBody(e, 'c-3');
    expect(body).toMatchObject({ statusCode: status, code });
    // what HTTP does not expect (no status in the table) is not told: only the code, the rest is in the log
    expect(body.message).toBe(code in HTTP_STATUS ? e.message : 'internal error');
  });

  it('keeps their own fields', () => {
    const x = unreadable();
    expect(x).toMatchObject({ offset: 0, ta1: expect.any(String) });
    expect(x.toIssue()).toMatchObject({ code: 'ISA_EXPECTED', offset: 0, fatal: true });
    expect(new ErpError('HTTP 503', 503)).toMatchObject({
      status: 503,
      kind: 'unavailable',
      retryable: true,
    });
    expect(new SftpError('x', 'auth').kind).toBe('auth');
    expect(new OutboundRefused('x', 'metadata.internal').host).toBe('metadata.internal');
  });

  it('answers a misconfiguration 500 and says what is missing', () => {
    expect(errorBody(new DomainError('misconfigured', 'no ERP is configured for this partner'), 'c')).toEqual(
      {
        statusCode: 500,
        code: 'misconfigured',
        message: 'no ERP is configured for this partner',
        correlationId: 'c',
      },
    );
  });
});
