import { parseArgs } from 'node:util';
import type { RollupRunResult } from '../../aggregator/rollup-job';
import { formatSloStatuses } from '../../aggregator/slo-format';
import { parseInstantMs } from '../../shared/time-windows';
import type { LocalApp } from '../../app/local';
import type { Clock } from '../../shared/clock';
import type { Warehouse } from '../../sql/warehouse';
import { appOf, AT_OPTION, EXIT_USAGE, formatHelp, JSON_OPTION, UsageError, type Command, type CommandIo } from '../command';

export { UsageError };

/** Runs an argument parser (node:util parseArgs), turning its errors into {@link UsageError}. */
export function usageOnError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--at ISO` as epoch ms, or the assembly's clock. The one place the CLI reads the time. */
export function nowFrom(at: string | undefined, clock: Pick<Clock, 'now'> = { now: Date.now }): number {
  if (at === undefined) return clock.now();
  try {
    return parseInstantMs(at);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Runs `work` on the assembly's warehouse (OBS_WAREHOUSE, OBS_DUCKDB_PATH / OBS_BQ_DATASET, or the stack's), closed after when it was opened for it. */
export function withWarehouse<T>(app: LocalApp, work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  return app.withWarehouse(work);
}

/** Runs a command body; a {@link UsageError} prints the message and usage and exits 64. */
export async function withUsage(command: Command, io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`obs ${command.name}: ${error.message}\nusage: ${command.usage}`);
    return EXIT_USAGE;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export function describeRollupRun(r: RollupRunResult): string {
  const what = r.newEvents === 0 ? 'no new events' : `${r.newEvents} new events in ${r.changedMinutes} minute(s), ${r.spans.length} span(s)`;
  const range = r.afterMs === 0 ? `first run: everything ingested up to ${iso(r.uptoMs)}` : `ingested in (${iso(r.afterMs)}, ${iso(r.uptoMs)}]`;
  return `Rollups: ${what}; ${range}; watermark now ${iso(r.watermarkMs)}; ${r.statements} statements in ${r.durationMs} ms`;
}

/** `obs aggregate [--at ISO] [--json]`: the rollup job, then the SLO job, as of now or --at. */
export const aggregateCommand: Command = {
  name: 'aggregate',
  usage: 'obs aggregate [--at ISO] [--json]',
  summary: 'Run the incremental rollup job, then the SLO job, as of now (or --at)',
  help: () =>
    formatHelp({
      usage: 'obs aggregate [--at ISO] [--json]',
      description:
        'Runs the incremental rollup job (the minutes of events ingested since its watermark, recomputed whole)\nand then the SLO job, on the configured warehouse — inside `obs start` when it holds the DuckDB file.',
      options: [AT_OPTION, JSON_OPTION],
      examples: ['obs aggregate', 'obs aggregate --at 2026-11-26T10:00:00Z --json'],
    }),
  run(args, io, context) {
    return withUsage(this, io, async () => {
      const { values } = usageOnError(() => parseArgs({ args, options: { at: { type: 'string' }, json: { type: 'boolean' } } }));
      const app = appOf(context);
      const nowMs = nowFrom(values.at, app.clock);
      const result = await withWarehouse(app, (warehouse) => app.jobs(warehouse).runAggregation(nowMs));
      if (values.json) io.out(JSON.stringify(result, null, 2));
      else io.out(`${describeRollupRun(result.rollup)}\n\n${formatSloStatuses(result.slo.statuses)}`);
      return 0;
    });
  },
};
