import type { Provider } from '@nestjs/common';
import type { OurIdentities } from '@edi/as2';
import { As2Store } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { As2AdminController } from './as2-admin.controller';
import { As2ConsoleController } from './as2-console.controller';
import type { As2Inbox } from './as2-inbox';
import { As2Controller } from './as2.controller';
import { AS2_IDENTITIES, AS2_INBOX, AS2_STORE } from './as2.tokens';

export { As2Inbox } from './as2-inbox';

/** What the AS2 controllers are given; absent = AS2 off (POST /as2 answers 404). */
export interface As2Deps {
  inbox: As2Inbox | null;
  identities: OurIdentities | null;
}

export const AS2_CONTROLLERS = [As2Controller, As2AdminController, As2ConsoleController];

export function as2Providers(dataSource: DataSource, deps: As2Deps | undefined): Provider[] {
  return [
    { provide: AS2_INBOX, useValue: deps?.inbox ?? null },
    { provide: AS2_IDENTITIES, useValue: deps?.identities ?? null },
    { provide: AS2_STORE, useValue: new As2Store(dataSource) },
  ];
}
