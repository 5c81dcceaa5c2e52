/** Injection tokens for the plain classes the libs provide. */
export const TRANSLATE = Symbol('TRANSLATE');
export const DELIVER = Symbol('DELIVER');
export const METRICS = Symbol('METRICS');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const ERP = Symbol('ERP');
export const SHIP = Symbol('SHIP');
export const SFTP = Symbol('SFTP');
