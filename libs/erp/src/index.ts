export * from './port';
export * from './answers';
export * from './send';
export * from './http-adapter';
export * from './presets';
export * from './resilient';
export * from './sscc';
export * from './factory';
