import { ConsolePartnersController } from './console-partners.controller';
import { ConsoleTransactionsController } from './console-transactions.controller';
import { DashboardController } from './dashboard.controller';
import { ReviewController } from './review.controller';
import { SessionController } from './session.controller';
import { StaffController } from './staff.controller';

/** The staff console's API: sessions, dashboard, every partner's transactions and their review, partners, staff. */
export const CONSOLE_CONTROLLERS = [
  SessionController,
  DashboardController,
  ConsoleTransactionsController,
  ReviewController,
  ConsolePartnersController,
  StaffController,
];
