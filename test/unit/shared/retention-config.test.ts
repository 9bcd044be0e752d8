import { ConfigError, describeConfig, loadConfig } from '../../../shared/config';

describe('retention configuration (OBS_RETENTION_*_DAYS)', () => {
  it('defaults to 90 days of raw events, 30 of dead letters, 35 of minute rollups and 397 (13 months) of hour and day rollups', () => {
    expect(loadConfig({}).retention).toEqual({ eventsDays: 90, deadLettersDays: 30, minuteRollupsDays: 35, rollupsDays: 397 });
    expect(describeConfig(loadConfig({})).retention).toBe('events 90d, dead letters 30d, minute rollups 35d, hour/day rollups 397d');
  });

  it('reads each variable', () => {
    const env = { OBS_RETENTION_EVENTS_DAYS: '14', OBS_RETENTION_DEAD_LETTERS_DAYS: ' 7 ', OBS_RETENTION_MINUTE_ROLLUPS_DAYS: '31', OBS_RETENTION_ROLLUPS_DAYS: '31' };
    expect(loadConfig(env).retention).toEqual({ eventsDays: 14, deadLettersDays: 7, minuteRollupsDays: 31, rollupsDays: 31 });
  });

  it.each([
    ['a word', { OBS_RETENTION_EVENTS_DAYS: 'ninety' }, 'OBS_RETENTION_EVENTS_DAYS', /OBS_RETENTION_EVENTS_DAYS="ninety" must be a whole number of days from 8 to 36500 \(unset means 90\)/],
    ['a fraction', { OBS_RETENTION_DEAD_LETTERS_DAYS: '1.5' }, 'OBS_RETENTION_DEAD_LETTERS_DAYS', /"1\.5" must be a whole number of days from 1 to 36500/],
    ['a negative number', { OBS_RETENTION_ROLLUPS_DAYS: '-1' }, 'OBS_RETENTION_ROLLUPS_DAYS', /"-1" must be a whole number of days from 31/],
    ['zero', { OBS_RETENTION_DEAD_LETTERS_DAYS: '0' }, 'OBS_RETENTION_DEAD_LETTERS_DAYS', /from 1 to 36500/],
    ['raw events kept less than the incremental rollup looks back (7 days) plus a day', { OBS_RETENTION_EVENTS_DAYS: '7' }, 'OBS_RETENTION_EVENTS_DAYS', /from 8 to/],
    ['minute rollups shorter than the SLO window\'s edges need', { OBS_RETENTION_MINUTE_ROLLUPS_DAYS: '30' }, 'OBS_RETENTION_MINUTE_ROLLUPS_DAYS', /from 31 to/],
    ['more than a century', { OBS_RETENTION_ROLLUPS_DAYS: '36501' }, 'OBS_RETENTION_ROLLUPS_DAYS', /to 36500/],
    [
      'minute rollups kept longer than their table',
      { OBS_RETENTION_MINUTE_ROLLUPS_DAYS: '60', OBS_RETENTION_ROLLUPS_DAYS: '45' },
      'OBS_RETENTION_MINUTE_ROLLUPS_DAYS',
      /OBS_RETENTION_MINUTE_ROLLUPS_DAYS=60 is longer than OBS_RETENTION_ROLLUPS_DAYS=45/,
    ],
  ] as Array<[string, Record<string, string>, string, RegExp]>)('rejects %s, naming the variable', (_label, env, variable, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(message);
  });
});
