export * from './passwords';
export * from './staff-accounts';
