import { BadRequestException, HttpStatus } from '@nestjs/common';
import { StaffError } from '@edi/auth';
import { ConflictError, DomainError, ERROR_CODES, InvalidInputError, NotFoundError } from '@edi/contracts';
import { HTTP_STATUS, errorBody } from './error.filter';

describe('the error table', () => {
  it('gives every domain error code an HTTP status, a 4xx unless something we depend on is down', () => {
    for (const code of ERROR_CODES) {
      const status = HTTP_STATUS[code];
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status < 500 || code === 'unavailable').toBe(true);
    }
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
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
