/**
 * metric_rollups and metric_histograms have no PRIMARY KEY on DuckDB (sql/tables.ts
 * `duckdbIndexKey: false`): their writers keep them unique by key. This holds them to it through
 * everything that writes them — incremental runs with late data and rescanned overlaps, a run
 * repeated at the same time, rebuilds over ranges that overlap, and seeding through upsert.
 */
import { runRebuild } from '../../../aggregator/rebuild';
import { runRollupJob } from '../../../aggregator/rollup-job';
import { TABLES } from '../../../sql/tables';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { DAY, event, HOUR, MINUTE, openMemoryWarehouse, rng, select } from './support';

const START = Date.UTC(2026, 10, 20);

async function duplicateKeys(wh: DuckDbWarehouse): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['metric_rollups', 'metric_histograms'] as const) {
    const key = TABLES[table].key.join(', ');
    const [row] = await select(wh, `SELECT COUNT(*) AS n FROM (SELECT ${key} FROM {{${table}}} GROUP BY ${key} HAVING COUNT(*) > 1) AS d`);
    out[table] = row?.n as number;
  }
  return out;
}

describe('rollup tables without a DuckDB key', () => {
  it('stay unique by key through incremental runs, late data, repeated runs, overlapping rebuilds and upserts', async () => {
    const wh = await openMemoryWarehouse();
    const none = { metric_rollups: 0, metric_histograms: 0 };
    try {
      const random = rng(5);
      for (let batch = 0; batch < 12; batch++) {
        const ingestMs = START + (batch + 1) * 2 * HOUR;
        const rows = Array.from({ length: 200 }, () => {
          // Mostly recent events, some up to a day late.
          const ts = ingestMs - (random() < 0.1 ? Math.floor(random() * DAY) : Math.floor(random() * 2 * HOUR)) - 1;
          return random() < 0.5
            ? event('infra.http.request.latency_ms', 'timing', Math.round(random() * 900), Math.max(START, ts), { tier: 'core' }, { ingestMs })
            : event('infra.http.request.count', 'count', 1, Math.max(START, ts), { tier: random() < 0.5 ? 'core' : 'secondary' }, { ingestMs });
        });
        await wh.insertEvents(rows);
        await runRollupJob(wh, { nowMs: ingestMs + MINUTE });
        await runRollupJob(wh, { nowMs: ingestMs + MINUTE }); // the same run again
        expect(await duplicateKeys(wh)).toEqual(none);
      }
      const [stored] = await select(wh, 'SELECT COUNT(*) AS n FROM {{metric_histograms}}');
      expect(stored?.n as number).toBeGreaterThan(1_000);

      await runRebuild(wh, { fromMs: START, toMs: START + DAY + 1, nowMs: START + 2 * DAY });
      await runRebuild(wh, { fromMs: START + 12 * HOUR, toMs: START + 2 * DAY, nowMs: START + 2 * DAY + 1 });
      expect(await duplicateKeys(wh)).toEqual(none);

      // Seeding through the port: the same rows twice, and a row the rollup job wrote.
      const [written] = await select(
        wh,
        `SELECT name, series_key, UNIX_MILLIS(window_start) AS window_start, window_seconds, bucket, bucket_count FROM {{metric_histograms}} ORDER BY window_start LIMIT 1`,
      );
      await wh.upsert('metric_histograms', [{ ...written!, bucket_count: 99 }]);
      await wh.upsert('metric_histograms', [{ ...written!, bucket_count: 99 }]);
      expect(await duplicateKeys(wh)).toEqual(none);
    } finally {
      await wh.close();
    }
  });
});
