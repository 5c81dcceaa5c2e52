import { DomainError } from '@edi/contracts';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A secret that does not open: `secret_key_invalid` (EDI_SECRETS_KEY is not a 32-byte key) or
 * `secret_unreadable` (not sealed by us, cut short, or sealed under another key or altered).
 */
export class SecretError extends DomainError<'secret_key_invalid' | 'secret_unreadable'> {
  override readonly name = 'SecretError';
}

/**
 * Secrets we must be able to read back (webhook signing keys, SFTP passwords and private keys) are
 * stored sealed with AES-256-GCM under a key that only the environment holds (EDI_SECRETS_KEY),
 * so a copy of the database alone gives none of them away. GCM's tag also catches a tampered row.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: string) {
    const raw = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64');
    if (raw.length !== 32)
      throw new SecretError(
        'secret_key_invalid',
        'EDI_SECRETS_KEY must be 32 bytes, as 64 hex digits or base64 (openssl rand -hex 32)',
      );
    this.key = raw;
  }

  /** `v1:` + base64 of IV (12 bytes), tag (16 bytes) and ciphertext. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new SecretError('secret_unreadable', 'not a sealed secret');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    if (raw.length < 28) throw new SecretError('secret_unreadable', 'sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretError(
        'secret_unreadable',
        'sealed secret does not open with this EDI_SECRETS_KEY (wrong key or altered row)',
      );
    }
  }
}
