import type { Logger } from '@nestjs/common';
import { staffUsername, type StaffAccounts } from '@edi/auth';
import type { AppConfig } from './config';

/** EDI_ADMIN_USER and EDI_ADMIN_PASSWORD: the first console admin, made at start when no one has that name. */
export async function firstAdmin(staff: StaffAccounts, config: AppConfig, log: Logger): Promise<void> {
  if (!config.EDI_ADMIN_USER || !config.EDI_ADMIN_PASSWORD) return;
  if ((await staff.list()).some((u) => u.username === staffUsername(config.EDI_ADMIN_USER!))) return;
  try {
    await staff.create({
      username: config.EDI_ADMIN_USER,
      role: 'admin',
      password: config.EDI_ADMIN_PASSWORD,
    });
    log.log(`console admin ${config.EDI_ADMIN_USER} created from EDI_ADMIN_USER`);
  } catch (e) {
    // two processes starting together: the other one made it
    if ((await staff.list()).every((u) => u.username !== staffUsername(config.EDI_ADMIN_USER!))) throw e;
  }
}
