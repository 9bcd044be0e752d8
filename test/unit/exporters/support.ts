import { runRollupJob } from '../../../aggregator/rollup-job';
import type { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import type { ExportBatch, Exporter, ExporterName, SendResult } from '../../../exporters/types';
import { event, MINUTE } from '../aggregator/support';

/** 2026-11-27T10:00:00Z: a minute boundary. */
export const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

/**
 * Events over `minutes` minutes from T0: per minute, `wallet.spend` counts (3 per minute, tag
 * feature=chat), a gauge (queue depth = minute index, then +0.5 later in the minute) and timings
 * 10, 20, …, 100 ms. Rolled up as of `nowMs`.
 */
export async function seedMinutes(wh: DuckDbWarehouse, minutes: number, nowMs: number): Promise<void> {
  const rows = [];
  for (let m = 0; m < minutes; m++) {
    const at = T0 + m * MINUTE;
    for (let i = 0; i < 3; i++) rows.push(event('product.wallet.spend.success', 'count', 1, at + i * 1000, { feature: 'chat' }));
    rows.push(event('infra.pipeline.alerts.retry_waiting', 'gauge', m, at + 5_000));
    rows.push(event('infra.pipeline.alerts.retry_waiting', 'gauge', m + 0.5, at + 50_000));
    for (let v = 10; v <= 100; v += 10) rows.push(event('infra.pipeline.rollup.duration_ms', 'timing', v, at + v * 100));
  }
  await wh.insertEvents(rows);
  await runRollupJob(wh, { nowMs });
}

/** An exporter that records every batch and answers from a script (then ok). */
export class RecordingExporter implements Exporter {
  readonly batches: ExportBatch[] = [];
  readonly script: Array<SendResult | Error> = [];
  readonly requestsPerSecond = 1000;
  constructor(
    readonly name: ExporterName = 'datadog',
    readonly maxPointsPerRequest = 4,
  ) {}
  send(batch: ExportBatch): Promise<SendResult> {
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    this.batches.push(batch);
    return Promise.resolve(next ?? { outcome: 'ok' });
  }
  /** The minutes of the batches answered ok or rejected, in order, one entry per batch. */
  minutes(): number[] {
    return this.batches.map((b) => b.minuteMs);
  }
}
