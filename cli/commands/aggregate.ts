import { parseArgs } from 'node:util';
import { runAggregation } from '../../aggregator/aggregate';
import type { RollupRunResult } from '../../aggregator/rollup-job';
import { formatSloStatuses } from '../../aggregator/slo-format';
import { parseInstantMs } from '../../shared/time-windows';
import { openIngestWarehouse } from '../../ingest/warehouse-factory';
import type { Warehouse } from '../../sql/warehouse';
import { EXIT_USAGE, type Command, type CommandIo } from '../command';

/** Bad arguments: the command prints usage and exits 64. */
export class UsageError extends Error {}

/** Runs an argument parser (node:util parseArgs), turning its errors into {@link UsageError}. */
export function usageOnError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--at ISO` as epoch ms, or the clock. The one place the CLI reads the time. */
export function nowFrom(at: string | undefined): number {
  if (at === undefined) return Date.now();
  try {
    return parseInstantMs(at);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Opens the configured warehouse (OBS_WAREHOUSE, OBS_DUCKDB_PATH / OBS_BQ_DATASET) with the shared
 * factory, runs `work`, always closes it.
 */
export async function withWarehouse<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openIngestWarehouse();
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
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
  run(args, io) {
    return withUsage(this, io, async () => {
      const { values } = usageOnError(() => parseArgs({ args, options: { at: { type: 'string' }, json: { type: 'boolean' } } }));
      const nowMs = nowFrom(values.at);
      const result = await withWarehouse((warehouse) => runAggregation(warehouse, nowMs));
      if (values.json) io.out(JSON.stringify(result, null, 2));
      else io.out(`${describeRollupRun(result.rollup)}\n\n${formatSloStatuses(result.slo.statuses)}`);
      return 0;
    });
  },
};
