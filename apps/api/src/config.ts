export { loadConfig, mapsDir, processEnvironment, type AppConfig } from '@edi/config';

/** Nest injection token of the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
