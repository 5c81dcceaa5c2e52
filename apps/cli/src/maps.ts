import { MapRegistry } from '@edi/mapping';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** edi-maps/ beside the package (dist/apps/cli/src → the repository root), or --maps / EDI_MAPS_DIR. */
export function openMaps(dir?: string): MapRegistry {
  const candidates = [
    dir,
    process.env.EDI_MAPS_DIR,
    resolve(__dirname, '../../../../edi-maps'),
    resolve(__dirname, '../../../edi-maps'),
  ];
  const found = candidates.find((d): d is string => !!d && existsSync(resolve(d, 'segments.yaml')));
  if (!found)
    throw new Error(
      `edi-maps not found (looked in ${candidates.filter(Boolean).join(', ')}); use --maps DIR`,
    );
  return new MapRegistry(found);
}
