import { ConsoleOrdersController } from './console-orders.controller';
import { OrdersController } from './orders.controller';

/** Order threads and needs-attention: the partner API and the console's. */
export const ORDERS_CONTROLLERS = [OrdersController, ConsoleOrdersController];
