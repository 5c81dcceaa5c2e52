import { mapsDir } from '@edi/config';
import { MapRegistry } from '@edi/mapping';

/** edi-maps/ of the repository, or --maps DIR / EDI_MAPS_DIR. */
export function openMaps(dir?: string): MapRegistry {
  return new MapRegistry(mapsDir({ EDI_MAPS_DIR: dir ?? process.env.EDI_MAPS_DIR }));
}
