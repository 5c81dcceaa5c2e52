import { DomainError } from '@edi/contracts';

/**
 * Why a message was not processed, as the MDN's Disposition says it (RFC 4130 7.5.3, RFC 3798):
 * the partner's software reads these words, so they are the standard's, not ours.
 */
export type As2ErrorCode =
  | 'authentication-failed'
  | 'decryption-failed'
  | 'integrity-check-failed'
  | 'unknown-trading-relationship'
  | 'insufficient-message-security'
  | 'decompression-failed'
  | 'unexpected-processing-error';

/** Its code is the disposition modifier the MDN answers with (the standard's words, so stable). */
export class As2Error extends DomainError<As2ErrorCode> {
  override readonly name = 'As2Error';

  constructor(code: As2ErrorCode, message: string) {
    super(code, message);
  }
}

/** Our own AS2 key and certificate files are unusable: AS2 cannot start until they are fixed. */
export class As2IdentityError extends DomainError<'as2_identity_invalid'> {
  override readonly name = 'As2IdentityError';

  constructor(message: string) {
    super('as2_identity_invalid', message);
  }
}
