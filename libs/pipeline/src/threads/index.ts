export * from './business-keys';
export * from './order-thread';
