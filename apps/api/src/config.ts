export { ConfigSchema, loadConfig, mapsDir, type AppConfig } from '@edi/config';

/** Nest injection token of the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
