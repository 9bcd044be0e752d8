import { parseArgs } from 'node:util';
import { DEFAULT_CHUNK_DAYS, formatMigrationScript, HOURLY_TABLE, OLD_TABLE, renderEventsHourlyMigration, TAIL_DAYS } from '../../sql/events-hourly-migration';
import { appOf, AT_OPTION, formatHelp, JSON_OPTION, type Command } from '../command';
import { nowFrom, usageOnError, UsageError, withUsage } from './aggregate';

const USAGE = 'obs migrate events-hourly [--at ISO] [--chunk-days N] [--json]';

/**
 * `obs migrate events-hourly`: prints the BigQuery statements that move an existing
 * day-partitioned metric_events to hour partitions (sql/events-hourly-migration.ts; the procedure
 * is docs/DEPLOYMENT.md, "Hourly partitions of metric_events"). It runs nothing: the statements
 * are run by an operator, step by step, with `bq query`.
 */
export const migrateCommand: Command = {
  name: 'migrate',
  usage: USAGE,
  summary: 'Print the BigQuery statements that move an existing metric_events to hour partitions',
  help: () =>
    formatHelp({
      usage: USAGE,
      description:
        'Builds before hourly partitions created metric_events partitioned by day, and BigQuery cannot change a\n' +
        `table's partitioning in place. This prints, for OBS_BQ_DATASET and OBS_RETENTION_EVENTS_DAYS, the statements\n` +
        `that do it by copy: create ${HOURLY_TABLE}; copy the rows ingested before the cut-off (--at) in chunks of\n` +
        `event time (at most 4,000 partitions a job); after ingest is paused, copy the rows ingested since; check\n` +
        `the row counts per day; rename metric_events to ${OLD_TABLE} and ${HOURLY_TABLE} to metric_events; drop\n` +
        `the old table later. The copy reaches ${TAIL_DAYS} days past the cut-off: run the tail within them.\n` +
        'It runs nothing and needs no warehouse; docs/DEPLOYMENT.md, "Hourly partitions of metric_events", says\n' +
        'when to run each statement.',
      options: [
        { flag: '--at ISO', text: 'the cut-off between the copy and the tail', default: 'now' },
        { flag: '--chunk-days N', text: 'days of event time per copy statement, 1 to 166', default: String(DEFAULT_CHUNK_DAYS) },
        JSON_OPTION,
      ],
      examples: ['obs migrate events-hourly --at 2026-11-27T23:30:00Z', 'OBS_BQ_DATASET=observability obs migrate events-hourly --json'],
      notes: `${AT_OPTION.flag}: an ISO time such as 2026-11-26T10:00:00Z.`,
    }),
  run(args, io, context) {
    return withUsage(this, io, () => {
      const { values, positionals } = usageOnError(() =>
        parseArgs({ args, allowPositionals: true, options: { at: { type: 'string' }, 'chunk-days': { type: 'string' }, json: { type: 'boolean' } } }),
      );
      if (positionals.length !== 1 || positionals[0] !== 'events-hourly') throw new UsageError(positionals.length === 0 ? 'missing sub-command: events-hourly' : `unknown sub-command "${positionals.join(' ')}"; use events-hourly`);
      const app = appOf(context);
      const atMs = nowFrom(values.at, app.clock);
      const chunkText = values['chunk-days'];
      if (chunkText !== undefined && !/^\d+$/.test(chunkText)) throw new UsageError(`--chunk-days must be a whole number from 1 to 166, got "${chunkText}"`);
      const steps = usageOnError(() =>
        renderEventsHourlyMigration({ atMs, dataset: app.config.bigqueryDataset, retention: app.config.retention, ...(chunkText === undefined ? {} : { chunkDays: Number(chunkText) }) }),
      );
      io.out(values.json ? JSON.stringify({ atMs, at: new Date(atMs).toISOString(), dataset: app.config.bigqueryDataset, steps }, null, 2) : formatMigrationScript(steps));
      return Promise.resolve(0);
    });
  },
};
