/** Injection tokens for the plain (non-Nest) classes the libs provide. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const PIPELINE = Symbol('PIPELINE');
export const MAPS = Symbol('MAPS');
export const API_KEYS = Symbol('API_KEYS');
export const STAGE_QUEUE = Symbol('STAGE_QUEUE');
export const DELIVER = Symbol('DELIVER');
export const SECRETS = Symbol('SECRETS');
export const SHIP_QUEUE = Symbol('SHIP_QUEUE');
