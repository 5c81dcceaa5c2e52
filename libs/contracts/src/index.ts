export * from './errors';
export * from './statuses';
export * from './console';
export * from './orders';
