export * from './ingest.service';
export * from './translate.stage';
export * from './pipeline';
export * from './bull-queue';
export * from './outbound';
export * from './deliver.stage';
export * from './metrics';
