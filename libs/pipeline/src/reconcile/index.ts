export * from './ack-reading';
export * from './ack-events';
export * from './reconciler';
export * from './overdue-sweep';
export * from './event-delivery';
export * from './windows';
export * from './ack-view';
export * from './ack-jobs';
