import { runRebuild } from '../../../aggregator/rebuild';
import { runRollupJob } from '../../../aggregator/rollup-job';
import type { EventRow } from '../../../sql/warehouse';
import { DAY, event, histogramTable, HOUR, MINUTE, openMemoryWarehouse, rng, roundSums, rollupTable, select } from './support';

const START = Date.UTC(2026, 10, 20);

/** Four days of mixed traffic, ingested in batches with some events hours or days late. */
function traffic(): { batches: Array<{ ingestMs: number; rows: EventRow[] }>; lastIngestMs: number } {
  const random = rng(7);
  const byIngest = new Map<number, EventRow[]>();
  for (let i = 0; i < 4_000; i++) {
    const ts = START + Math.floor(random() * 4 * DAY);
    const lateness = random() < 0.05 ? Math.floor(random() * 2 * DAY) : random() < 0.2 ? Math.floor(random() * 20 * MINUTE) : 2_000;
    const ingestMs = Math.ceil((ts + lateness) / (10 * MINUTE)) * 10 * MINUTE; // ingest in 10-minute batches
    const kind = i % 3 === 0 ? 'timing' : i % 3 === 1 ? 'count' : 'gauge';
    const name = kind === 'timing' ? 'infra.http.request.latency_ms' : kind === 'count' ? 'infra.http.request.count' : 'infra.queue.depth';
    const value = kind === 'timing' ? Math.round(Math.exp(4 + random() * 3) * 100) / 100 : kind === 'count' ? 1 + Math.floor(random() * 5) : Math.floor(random() * 100);
    const tags = { tier: random() < 0.5 ? 'core' : 'secondary', status_class: random() < 0.1 ? '5xx' : '2xx' };
    const row = event(name, kind, value, ts, tags, { ingestMs: ingestMs - 1 });
    byIngest.set(ingestMs, [...(byIngest.get(ingestMs) ?? []), row]);
  }
  const batches = [...byIngest.entries()].sort((a, b) => a[0] - b[0]).map(([ingestMs, rows]) => ({ ingestMs, rows }));
  return { batches, lastIngestMs: batches.at(-1)!.ingestMs };
}

describe('obs rebuild', () => {
  it('produces exactly the tables that incremental runs produced, late data included', async () => {
    const { batches, lastIngestMs } = traffic();
    const wh = await openMemoryWarehouse();
    try {
      // Incremental: insert each 10-minute ingest batch, run the job every 12 hours in between.
      let nextRun = START + HOUR;
      for (const batch of batches) {
        while (nextRun < batch.ingestMs) {
          await runRollupJob(wh, { nowMs: nextRun });
          nextRun += 12 * HOUR;
        }
        await wh.insertEvents(batch.rows);
      }
      await runRollupJob(wh, { nowMs: lastIngestMs + MINUTE });
      const incremental = { rollups: roundSums(await rollupTable(wh)), histograms: await histogramTable(wh) };
      expect(incremental.rollups.length).toBeGreaterThan(1_000);

      const rebuilt = await runRebuild(wh, { fromMs: START + 5 * HOUR, toMs: START + 4 * DAY + 10 * HOUR, nowMs: lastIngestMs + 2 * HOUR });
      expect(rebuilt).toMatchObject({ fromMs: START, toMs: START + 5 * DAY });
      expect({ rollups: roundSums(await rollupTable(wh)), histograms: await histogramTable(wh) }).toEqual(incremental);
      // The rebuild rewrote every row (updated_at is its now), and events are counted once.
      expect(await select(wh, `SELECT COUNT(*) AS n FROM {{metric_rollups}} WHERE updated_at <> TIMESTAMP_MILLIS(${lastIngestMs + 2 * HOUR})`)).toEqual([{ n: 0 }]);
      expect(await select(wh, `SELECT SUM(event_count) AS n FROM {{metric_rollups}} WHERE window_seconds = 86400`)).toEqual([{ n: 4_000 }]);
    } finally {
      await wh.close();
    }
  });

  it('removes rollups whose events are gone, and leaves other days alone', async () => {
    const wh = await openMemoryWarehouse();
    try {
      await wh.insertEvents([event('infra.http.request.count', 'count', 1, START + HOUR), event('infra.http.request.count', 'count', 1, START + DAY + HOUR)]);
      await runRollupJob(wh, { nowMs: START + 2 * DAY });
      await wh.execute({ name: 't', text: `DELETE FROM metric_events WHERE event_ts < TIMESTAMP_MILLIS(${START + DAY})` });
      await runRebuild(wh, { fromMs: START, toMs: START + DAY, nowMs: START + 3 * DAY });
      expect(await select(wh, `SELECT window_seconds, UNIX_MILLIS(window_start) AS w FROM {{metric_rollups}} ORDER BY window_seconds`)).toEqual([
        { window_seconds: 60, w: START + DAY + HOUR },
        { window_seconds: 3600, w: START + DAY + HOUR },
        { window_seconds: 86400, w: START + DAY },
      ]);
    } finally {
      await wh.close();
    }
  });

  it('refuses an empty range', async () => {
    const wh = await openMemoryWarehouse();
    try {
      await expect(runRebuild(wh, { fromMs: START, toMs: START, nowMs: START })).rejects.toThrow(/after/);
    } finally {
      await wh.close();
    }
  });
});
