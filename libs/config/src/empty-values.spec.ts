import { ConfigError, loadConfig, loadSettings } from './index';

describe('a variable set to the empty string', () => {
  it('counts as not set: DATABASE_URL= means the embedded SQLite, not an invalid URL', () => {
    expect(loadSettings(['DATABASE_URL'], { DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(loadConfig({}).PORT);
  });

  it('does not hide a value that is given and wrong', () => {
    expect(() => loadSettings(['DATABASE_URL'], { DATABASE_URL: 'not a url' })).toThrow(ConfigError);
  });
});
