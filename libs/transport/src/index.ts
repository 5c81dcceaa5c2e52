export * from './sftp';
