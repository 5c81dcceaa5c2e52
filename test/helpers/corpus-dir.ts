import { resolve } from 'node:path';

/**
 * The shared corpus of real X12 files (never edited). EDI_CORPUS_DIR overrides where it is. Its
 * own module, free of Jest's globals, because `npm run fuzz` reads it outside Jest.
 */
export const CORPUS_DIR = process.env.EDI_CORPUS_DIR ?? resolve(__dirname, '../../../shared/corpus/x12');
