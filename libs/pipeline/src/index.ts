export * from './ingest.service';
export * from './translate.stage';
export * from './pipeline';
export * from './bull-queue';
