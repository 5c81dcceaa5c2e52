import { diffMaps, documentSchema } from '@edi/mapping';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../io';
import { openMaps, showTable } from '../maps';

/** `edi maps diff PARTNER SET`: what the partner's guide changes against the base map. */
export function mapsDiffCommand(
  partner: string,
  set: string,
  flags: { version?: string; maps?: string },
): number {
  const registry = openMaps(flags.maps);
  if (!registry.partners().includes(partner))
    throw new UsageError(
      `no partner '${partner}' in edi-maps/partners (have: ${registry.partners().join(', ') || 'none'})`,
    );
  const versions = flags.version ? [flags.version] : registry.versions(set);
  if (!versions.length) throw new UsageError(`no map for transaction set ${set}`);
  for (const version of versions) {
    const lines = diffMaps(registry.get(set, version), registry.get(set, version, partner));
    process.stdout.write(
      `${set} ${version}, ${partner} against the base:\n${lines.length ? lines.map((l) => `  ${l}`).join('\n') : '  (no changes)'}\n`,
    );
  }
  return 0;
}

/** `edi maps show SET --version V [--partner P]`: the table a set of that version is checked against. */
export function mapsShowCommand(
  set: string,
  flags: { version?: string; partner?: string; maps?: string },
): number {
  const registry = openMaps(flags.maps);
  if (!registry.versions(set).length)
    throw new UsageError(`no map for transaction set ${set} in edi-maps (have: ${KNOWN_SETS.join(', ')})`);
  if (flags.partner && !registry.partners().includes(flags.partner))
    throw new UsageError(
      `no partner '${flags.partner}' in edi-maps/partners (have: ${registry.partners().join(', ') || 'none'})`,
    );
  const wanted = flags.version ?? '004010';
  if (!/^\d{6}/.test(wanted))
    throw new UsageError(`--version ${wanted}: a GS08 version such as 004010 or 005010X222A1`);
  const choice = registry.chooseVersion(set, wanted);
  if (!choice) throw new UsageError(`no ${set} table in edi-maps/standard for version ${wanted}`);
  if (choice.warning) process.stderr.write(`warning: ${choice.warning}\n`);
  const base = registry.get(set, choice.version);
  process.stdout.write(
    showTable(base, flags.partner ? registry.get(set, choice.version, flags.partner) : base),
  );
  return 0;
}

const KNOWN_SETS = ['850', '855', '856', '810', '997', '999'];

/** `edi maps schema SET`: the JSON Schema of the canonical document. */
export function mapsSchemaCommand(set: string, flags: { version?: string; maps?: string }): number {
  const registry = openMaps(flags.maps);
  const versions = registry.versions(set);
  const version = flags.version ?? (versions.includes('004010') ? '004010' : versions[0]);
  if (!version) throw new UsageError(`no map for transaction set ${set}`);
  process.stdout.write(JSON.stringify(documentSchema(registry.get(set, version)), null, 2) + '\n');
  return 0;
}

/** `edi maps schemas DIR`: the JSON Schema of every set and version, as DIR/<set>-<version>.json (docs/schemas). */
export function mapsSchemasCommand(dir: string, flags: { maps?: string }): number {
  const registry = openMaps(flags.maps);
  mkdirSync(dir, { recursive: true });
  for (const set of KNOWN_SETS) {
    for (const version of registry.versions(set)) {
      const file = join(dir, `${set}-${version}.json`);
      writeFileSync(file, JSON.stringify(documentSchema(registry.get(set, version)), null, 2) + '\n');
      process.stdout.write(`${file}\n`);
    }
  }
  return 0;
}

/** `edi maps compile`: checks every file of edi-maps/ and writes their compiled form, read at start instead of the YAML. */
export function mapsCompileCommand(flags: { maps?: string }): number {
  const { file, entries } = openMaps(flags.maps).compileAll();
  process.stdout.write(`${file}: ${entries} files\n`);
  return 0;
}
