import { capture } from '../../support/capture-io';
import { main } from '../../../cli/obs';

/** `obs migrate events-hourly` prints the statements of sql/events-hourly-migration.ts for the configured dataset and retention. */
describe('obs migrate events-hourly', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env = { ...saved, OBS_WAREHOUSE: 'bigquery', OBS_BQ_DATASET: 'obs_prod', OBS_RETENTION_EVENTS_DAYS: '60' };
  });
  afterEach(() => (process.env = { ...saved }));

  it('prints the script for OBS_BQ_DATASET and OBS_RETENTION_EVENTS_DAYS: create, copies, tails, check, swap, drop, each under a comment', async () => {
    const io = capture();
    expect(await main(['migrate', 'events-hourly', '--at', '2026-11-27T23:30:00Z'], io)).toBe(0);
    const out = io.stdout;
    expect(out).toMatch(/^-- The hour-partitioned table beside the old one: metric_events_hourly\nCREATE TABLE IF NOT EXISTS `obs_prod\.metric_events_hourly` \(/);
    expect(out).toContain('PARTITION BY TIMESTAMP_TRUNC(event_ts, HOUR)');
    expect(out).toContain('partition_expiration_days=60);');
    // 61 days before the cut-off's day, to 7 days after its hour, in 30-day chunks: 3 copies and 3 tails.
    expect(out.match(/^-- Copy \d\/3, ingest running: /gm)).toHaveLength(3);
    expect(out.match(/^-- Tail \d\/3, ingest paused: /gm)).toHaveLength(3);
    expect(out).toContain('-- Copy 1/3, ingest running: events of [2026-09-27T00:00:00.000Z, 2026-10-27T00:00:00.000Z) ingested before 2026-11-27T23:30:00.000Z');
    expect(out).toContain('ALTER TABLE `obs_prod.metric_events` RENAME TO metric_events_daily;');
    expect(out.trimEnd().endsWith('DROP TABLE `obs_prod.metric_events_daily`;')).toBe(true);
    expect(io.stderr).toBe('');
  });

  it('--json gives the steps with their kind; --chunk-days changes the chunks', async () => {
    const io = capture();
    expect(await main(['migrate', 'events-hourly', '--at', '2026-11-27T23:30:00Z', '--chunk-days', '7', '--json'], io)).toBe(0);
    const result = JSON.parse(io.stdout) as { atMs: number; dataset: string; steps: Array<{ kind: string; sql: string }> };
    expect(result.atMs).toBe(Date.UTC(2026, 10, 27, 23, 30));
    expect(result.dataset).toBe('obs_prod');
    expect(result.steps.filter((s) => s.kind === 'copy')).toHaveLength(Math.ceil((61 + 7 + 23 / 24) / 7));
  });

  it.each([
    [['migrate'], 'missing sub-command: events-hourly'],
    [['migrate', 'rollups'], 'unknown sub-command "rollups"; use events-hourly'],
    [['migrate', 'events-hourly', '--chunk-days', '200'], '--chunk-days must be a whole number from 1 to 166'],
    [['migrate', 'events-hourly', '--chunk-days', 'x'], '--chunk-days must be a whole number from 1 to 166, got "x"'],
    [['migrate', 'events-hourly', '--at', 'yesterday'], 'yesterday'],
  ])('obs %j: usage error (64) naming the problem', async (args, message) => {
    const io = capture();
    expect(await main(args, io)).toBe(64);
    expect(io.stderr).toContain(message);
  });

  it('refuses a retention BigQuery cannot keep with hourly partitions (exit 78, naming the variable)', async () => {
    process.env.OBS_RETENTION_EVENTS_DAYS = '500';
    const io = capture();
    expect(await main(['migrate', 'events-hourly'], io)).toBe(78);
    expect(io.stderr).toContain('OBS_RETENTION_EVENTS_DAYS=500 is more than BigQuery allows');
  });
});
