export * from './sftp';
export * from './mailbox';
export * from './ip-ranges';
export * from './outbound-policy';
export * from './guarded-fetch';
