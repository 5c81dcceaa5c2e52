import { DomainError } from '@edi/contracts';

/** A map or standard file that is wrong: which file, where, why (all in the message). */
export class MapError extends DomainError<'map_invalid'> {
  override readonly name = 'MapError';

  constructor(message: string) {
    super('map_invalid', message);
  }
}
