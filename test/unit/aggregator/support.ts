import { seededRandom } from '../../../cli/local/demo/random';
import { seriesKey } from '../../../shared/series-key';
import { defineQuery } from '../../../sql/dialect';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { EventRow, Row } from '../../../sql/warehouse';

/** Deterministic PRNG (mulberry32, the demo's), so every test sees the same "random" data. */
export const rng = seededRandom;

/** A standard normal draw (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

let counter = 0;

/** One event row; ingested `ingestDelayMs` after its event time unless `ingestMs` is given. */
export function event(
  name: string,
  kind: 'count' | 'timing' | 'gauge',
  value: number,
  tsMs: number,
  tags: Record<string, string> = {},
  options: { id?: string; ingestMs?: number } = {},
): EventRow {
  return {
    event_id: options.id ?? `t${++counter}`,
    name,
    kind,
    value,
    event_ts_ms: tsMs,
    ingest_ts_ms: options.ingestMs ?? tsMs + 1_000,
    series_key: seriesKey(tags),
    tags: JSON.stringify(tags),
    service: 'test',
    environment: 'test',
    message_id: null,
  };
}

export async function openMemoryWarehouse(): Promise<DuckDbWarehouse> {
  const warehouse = await DuckDbWarehouse.open(':memory:');
  await warehouse.createSchema();
  return warehouse;
}

export const select = (warehouse: DuckDbWarehouse, sql: string): Promise<Row[]> => warehouse.query(defineQuery('test', sql));

/** Every rollup row (without updated_at), in key order, for table comparisons. */
export async function rollupTable(warehouse: DuckDbWarehouse): Promise<Row[]> {
  return select(
    warehouse,
    `SELECT name, series_key, kind, CAST(tags AS VARCHAR) AS tags, UNIX_MILLIS(window_start) AS window_start_ms, window_seconds, event_count, value_sum, value_min, value_max, last_value, UNIX_MILLIS(last_ts) AS last_ts_ms
     FROM {{metric_rollups}} ORDER BY name, series_key, window_seconds, window_start`,
  );
}

export async function histogramTable(warehouse: DuckDbWarehouse): Promise<Row[]> {
  return select(
    warehouse,
    `SELECT name, series_key, UNIX_MILLIS(window_start) AS window_start_ms, window_seconds, bucket, bucket_count
     FROM {{metric_histograms}} ORDER BY name, series_key, window_seconds, window_start, bucket`,
  );
}

/** Rollup rows with value_sum rounded to 9 significant digits (float sums depend on addition order). */
export const roundSums = (rows: Row[]): Row[] => rows.map((r) => ({ ...r, value_sum: Number((r.value_sum as number).toPrecision(9)) }));

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
