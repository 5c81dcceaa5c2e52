/** Injection tokens for the plain (non-Nest) classes the libs provide. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const PIPELINE = Symbol('PIPELINE');
export const MAPS = Symbol('MAPS');
export const API_KEYS = Symbol('API_KEYS');
export const STAGE_QUEUE = Symbol('STAGE_QUEUE');
export const DELIVER = Symbol('DELIVER');
export const SECRETS = Symbol('SECRETS');
export const SHIP_QUEUE = Symbol('SHIP_QUEUE');
export const STAFF = Symbol('STAFF');
export const REVIEW = Symbol('REVIEW');
/** Reads the ERP's circuit state for the console's health view (null: no ERP configured). */
export const ERP_STATE = Symbol('ERP_STATE');
/** The hosts a partner's own ERP configuration may call (EDI_ERP_ALLOWED_HOSTS). */
export const ERP_HOSTS = Symbol('ERP_HOSTS');
