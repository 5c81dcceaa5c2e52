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

export class As2Error extends Error {
  override readonly name = 'As2Error';

  constructor(
    readonly code: As2ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
