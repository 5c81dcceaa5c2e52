export * from './sftp';
export * from './mailbox';
