import { DomainError } from '@edi/contracts';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import type * as Schemas from './schema';
import type { AppConfig, SandboxConfig } from './schema';

export type { AppConfig, SandboxConfig } from './schema';

/**
 * The process's environment: the only place the code reads it (a lint rule keeps it so). The
 * service reads it once, at start, through loadConfig; ERP configuration files may name ERP_*
 * variables of their own (secrets kept out of the file), looked up as a partner's ERP is built.
 */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}

/** The whole configuration, checked; frozen, so nothing changes it after start. */
export function loadConfig(env: NodeJS.ProcessEnv = processEnvironment()): Readonly<AppConfig> {
  return Object.freeze(parse(schemas().ConfigSchema, env));
}

/** The schemas, loaded on first use (see schema.ts). */
function schemas(): typeof Schemas {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./schema') as typeof Schemas;
}

/**
 * What the schema makes of a setting that is not set, for the settings the `edi` command reads on
 * every run: with none of them given, loadSettings answers from here without loading the schema
 * (a test checks each against it).
 */
export const WHEN_NOT_SET: Readonly<Partial<AppConfig>> = {
  EDI_MAPS_DIR: undefined,
  EDI_MAX_SEGMENTS_PER_SET: 500_000,
  EDI_NOW: undefined,
};

/** Only some settings, checked by the same schema: the `edi` command reads what it uses and no more. */
export function loadSettings<K extends keyof AppConfig>(
  keys: readonly K[],
  env: NodeJS.ProcessEnv = processEnvironment(),
): Readonly<Pick<AppConfig, K>> {
  const known = keys.every((k) => k in WHEN_NOT_SET && (env[k] === undefined || env[k] === ''));
  if (known) {
    const unset = Object.fromEntries(
      keys.flatMap((k) => (WHEN_NOT_SET[k] === undefined ? [] : [[k, WHEN_NOT_SET[k]]])),
    );
    return Object.freeze(unset as Pick<AppConfig, K>);
  }
  // zod types a pick by literal keys only; the keys are checked against AppConfig above
  const mask = Object.fromEntries(keys.map((k) => [k, true])) as Record<keyof AppConfig, true>;
  return Object.freeze(parse(schemas().ConfigSchema.pick(mask), env) as unknown as Pick<AppConfig, K>);
}

function parse<T extends z.ZodTypeAny>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  // a variable set to the empty string (FOO= in a unit file or a shell) means "not set", as in
  // most services; otherwise DATABASE_URL= would be refused as an invalid URL instead of SQLite
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`configuration: ${why}`);
  }
  return parsed.data;
}

export function loadSandboxConfig(env: NodeJS.ProcessEnv = processEnvironment()): Readonly<SandboxConfig> {
  return Object.freeze(parse(schemas().SandboxConfigSchema, env));
}

/** A setting the schema refuses: the service does not start, the command does not run. */
export class ConfigError extends DomainError<'config_invalid'> {
  override readonly name = 'ConfigError';

  constructor(message: string) {
    super('config_invalid', message);
  }
}

/** edi-maps/ of the repository (from src or dist), or EDI_MAPS_DIR. */
export function mapsDir(config: Pick<AppConfig, 'EDI_MAPS_DIR'>): string {
  const candidates = [
    config.EDI_MAPS_DIR,
    resolve(__dirname, '../../../edi-maps'),
    resolve(__dirname, '../../../../edi-maps'),
  ];
  const found = candidates.find((d): d is string => !!d && existsSync(resolve(d, 'standard')));
  if (!found)
    throw new ConfigError(
      `edi-maps not found (looked in ${candidates.filter(Boolean).join(', ')}); set EDI_MAPS_DIR`,
    );
  return found;
}
