export * from './ingest.service';
export * from './translate.stage';
export * from './pipeline';
