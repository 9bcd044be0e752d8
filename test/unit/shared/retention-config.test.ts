import { BIGQUERY_RETENTION_MAXIMUM_DAYS, ConfigError, describeConfig, loadConfig } from '../../../shared/config';
import { maxRetentionDays, renderCreateTable } from '../../../sql/ddl';
import { TABLES } from '../../../sql/tables';

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

  describe('on BigQuery, within the 10,000 partitions a table may have (sql/ddl.ts)', () => {
    const bq = { OBS_WAREHOUSE: 'bigquery' };
    it('refuses raw events kept more than 416 days: metric_events is partitioned by hour, 417 × 24 > 10,000', () => {
      expect(loadConfig({ ...bq, OBS_RETENTION_EVENTS_DAYS: '416' }).retention.eventsDays).toBe(416);
      let error: unknown;
      try {
        loadConfig({ ...bq, OBS_RETENTION_EVENTS_DAYS: '417' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('OBS_RETENTION_EVENTS_DAYS');
      expect((error as ConfigError).message).toBe(
        'OBS_RETENTION_EVENTS_DAYS=417 is more than BigQuery allows (OBS_WAREHOUSE=bigquery): metric_events is partitioned by hour and a table has at most 10,000 partitions, so at most 416 days (docs/DEPLOYMENT.md, "Hourly partitions of metric_events")',
      );
    });

    it('refuses day-partitioned tables kept more than 9,998 days; DuckDB has no such limit', () => {
      expect(() => loadConfig({ ...bq, OBS_RETENTION_ROLLUPS_DAYS: '9999' })).toThrow(/OBS_RETENTION_ROLLUPS_DAYS=9999 is more than BigQuery allows .* at most 9998 days/);
      expect(() => loadConfig({ ...bq, OBS_RETENTION_DEAD_LETTERS_DAYS: '10000' })).toThrow(/OBS_RETENTION_DEAD_LETTERS_DAYS=10000/);
      expect(loadConfig({ OBS_WAREHOUSE: 'duckdb', OBS_RETENTION_EVENTS_DAYS: '3650' }).retention.eventsDays).toBe(3650);
    });

    it('the limits are the DDL\'s: the longest expiry whose partitions fit, and the DDL refuses one beyond it', () => {
      expect(BIGQUERY_RETENTION_MAXIMUM_DAYS.eventsDays).toBe(maxRetentionDays(TABLES.metric_events));
      expect(BIGQUERY_RETENTION_MAXIMUM_DAYS.deadLettersDays).toBe(maxRetentionDays(TABLES.dead_letters));
      expect(BIGQUERY_RETENTION_MAXIMUM_DAYS.rollupsDays).toBe(maxRetentionDays(TABLES.metric_rollups));
      expect(maxRetentionDays(TABLES.metric_events) * 24 + 2).toBeLessThanOrEqual(10_000);
      expect((maxRetentionDays(TABLES.metric_events) + 1) * 24).toBeGreaterThan(10_000);
      const retention = { eventsDays: 417, deadLettersDays: 30, minuteRollupsDays: 35, rollupsDays: 397 };
      expect(() => renderCreateTable(TABLES.metric_events, 'bigquery', 'ds', retention)).toThrow(
        "metric_events: a partition expiry of 417 days is more than BigQuery's 10,000 partitions of a table allow with hourly partitions (at most 416 days)",
      );
      expect(renderCreateTable(TABLES.metric_events, 'bigquery', 'ds', { ...retention, eventsDays: 416 })).toContain('partition_expiration_days=416);');
    });
  });
});
