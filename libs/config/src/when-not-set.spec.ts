import { ConfigError, loadSettings, WHEN_NOT_SET } from './index';
import { ConfigSchema } from './schema';

describe('settings the edi command reads without loading the schema', () => {
  const keys = Object.keys(WHEN_NOT_SET) as (keyof typeof WHEN_NOT_SET)[];

  it.each(keys)('%s not set: the value the schema gives', (key) => {
    const fromSchema = ConfigSchema.pick({ [key]: true } as Record<typeof key, true>).parse({});
    expect(loadSettings([key], {})).toEqual(fromSchema);
    expect(WHEN_NOT_SET[key]).toEqual((fromSchema as Record<string, unknown>)[key]);
  });

  it('set to the empty string counts as not set', () => {
    expect(loadSettings(['EDI_MAX_SEGMENTS_PER_SET'], { EDI_MAX_SEGMENTS_PER_SET: '' })).toEqual({
      EDI_MAX_SEGMENTS_PER_SET: 500_000,
    });
  });

  it('a given value is checked by the schema', () => {
    expect(loadSettings(['EDI_MAX_SEGMENTS_PER_SET'], { EDI_MAX_SEGMENTS_PER_SET: '12' })).toEqual({
      EDI_MAX_SEGMENTS_PER_SET: 12,
    });
    expect(() => loadSettings(['EDI_MAX_SEGMENTS_PER_SET'], { EDI_MAX_SEGMENTS_PER_SET: '0' })).toThrow(
      ConfigError,
    );
    expect(() => loadSettings(['EDI_NOW'], { EDI_NOW: 'yesterday' })).toThrow(ConfigError);
  });
});
