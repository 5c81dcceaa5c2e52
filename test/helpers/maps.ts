import { resolve } from 'node:path';
import { MapRegistry } from '@edi/mapping';

export const MAPS_DIR = resolve(__dirname, '../../edi-maps');
export const registry = new MapRegistry(MAPS_DIR);
