import { parseArgs } from 'node:util';
import { applyRetention, type RetentionResult } from '../../aggregator/retention';
import { appOf, AT_OPTION, formatHelp, JSON_OPTION, type Command } from '../command';
import { nowFrom, usageOnError, UsageError, withUsage, withWarehouse } from './aggregate';

const USAGE = 'obs retention apply [--dry-run] [--at ISO] [--json]';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The report: one line per table (and per window size of the rollup tables). */
export function formatRetention(result: RetentionResult): string {
  const width = Math.max(...result.tables.map((t) => t.label.length));
  const lines = [
    `Retention on ${result.warehouse === 'bigquery' ? 'BigQuery' : 'DuckDB'} as of ${new Date(result.nowMs).toISOString()}${result.dryRun ? ' (dry run: nothing removed)' : ''}:`,
  ];
  for (const t of result.tables) {
    const what =
      t.rows === null
        ? `kept ${t.days} days by BigQuery partition expiry: partitions before ${day(t.cutoffMs)} are dropped by BigQuery itself`
        : `${result.dryRun ? 'would remove' : 'removed'} ${t.rows} row(s) before ${day(t.cutoffMs)} (${t.days} days)`;
    lines.push(`  ${t.label.padEnd(width)}  ${what}`);
  }
  const total = result.tables.reduce((n, t) => n + (t.rows ?? 0), 0);
  lines.push(`${result.dryRun ? 'Would remove' : 'Removed'} ${total} row(s) in all. slo_status, alert_log and job_state are never removed (docs/OPERATIONS.md, "Retention").`);
  return lines.join('\n');
}

/** `obs retention apply [--dry-run] [--at ISO] [--json]`: remove the rows past retention. */
export const retentionCommand: Command = {
  name: 'retention',
  usage: USAGE,
  summary: 'Remove the rows past retention (OBS_RETENTION_*_DAYS) and say how many, per table',
  help: () =>
    formatHelp({
      usage: USAGE,
      description:
        'Deletes the rows older than each table\'s retention — metric_events (OBS_RETENTION_EVENTS_DAYS, 90),\n' +
        'dead_letters (OBS_RETENTION_DEAD_LETTERS_DAYS, 30), the 1-minute rollups and histograms\n' +
        '(OBS_RETENTION_MINUTE_ROLLUPS_DAYS, 35), the hour and day ones (OBS_RETENTION_ROLLUPS_DAYS, 397) — and prints\n' +
        'per table how many rows and the cut-off (the start of today, UTC, minus the days; a row at the cut-off is kept).\n' +
        'On BigQuery, partition expiry removes all but the 1-minute rollup rows, which this command deletes.\n' +
        'Runs inside `obs start` when it holds the DuckDB file.',
      options: [{ flag: '--dry-run', text: 'count the rows that would be removed; remove nothing' }, AT_OPTION, JSON_OPTION],
      examples: ['obs retention apply --dry-run', 'obs retention apply --at 2026-11-26T10:00:00Z --json'],
    }),
  run(args, io, context) {
    return withUsage(this, io, async () => {
      const { values, positionals } = usageOnError(() =>
        parseArgs({ args, allowPositionals: true, options: { 'dry-run': { type: 'boolean' }, at: { type: 'string' }, json: { type: 'boolean' } } }),
      );
      if (positionals.length !== 1 || positionals[0] !== 'apply') throw new UsageError(positionals.length === 0 ? 'missing sub-command: apply' : `unknown sub-command "${positionals.join(' ')}"; use apply`);
      const app = appOf(context);
      const nowMs = nowFrom(values.at, app.clock);
      const dryRun = values['dry-run'] === true;
      const result = await withWarehouse(app, (warehouse) => applyRetention(warehouse, app.config.retention, { nowMs, dryRun }));
      io.out(values.json ? JSON.stringify(result, null, 2) : formatRetention(result));
      return 0;
    });
  },
};
