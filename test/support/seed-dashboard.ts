import { METRICS, METRIC_NAMES, MODULE_IDS, SLOS, bucketIndex } from '../../shared';
import type { Row, Warehouse } from '../../sql/warehouse';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Seeds a warehouse with a healthy month: every module reporting in the last minutes, hourly
 * slo_status history for every SLO over `days` days (budget slowly consumed), 1-minute latency
 * histograms for the last 24 hours, the pipeline's own metrics over the last hour
 * ({@link PIPELINE_SEED}), and a fresh ingest and aggregator run.
 */
export async function seedHealthyMonth(warehouse: Warehouse, nowMs: number, days = 30): Promise<void> {
  const minute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
  const recent: Row[] = MODULE_IDS.map((module) => {
    const name = METRIC_NAMES.find((n) => METRICS[n].module === module && METRICS[n].kind === 'count')!;
    return { name, series_key: '', tags: '{}', kind: 'count', window_start: minute(nowMs - 2 * MINUTE), window_seconds: 60, event_count: 10, value_sum: 10, updated_at: nowMs };
  });
  await warehouse.upsert('metric_rollups', recent);

  const history: Row[] = [];
  for (const slo of SLOS) {
    for (let t = nowMs - days * 24 * HOUR; t <= nowMs - MINUTE; t += HOUR) {
      const elapsed = 1 - (nowMs - t) / (days * 24 * HOUR);
      history.push({
        slo_id: slo.id, computed_at: t, objective: slo.objective, window_days: 30, good_events: 100_000 - 10, total_events: 100_000,
        attainment: 0.9999, budget_allowed: 100_000 * (1 - slo.objective), budget_consumed: 10,
        budget_remaining: 1 - 0.3 * elapsed, budget_minutes_remaining: slo.category === 'availability' ? 30 : null,
        burn_rates: JSON.stringify({ '5m': 0.2, '30m': 0.2, '1h': 0.3, '2h': 0.3, '6h': 0.3, '1d': 0.3, '3d': 0.3 }), exhaustion_hours: null, status: 'ok',
      });
    }
    history.push({ ...history[history.length - 1]!, computed_at: nowMs - MINUTE });
  }
  for (let i = 0; i < history.length; i += 2_000) await warehouse.upsert('slo_status', history.slice(i, i + 2_000));

  const histograms: Row[] = [];
  for (let t = minute(nowMs - 24 * HOUR); t < nowMs; t += MINUTE) {
    for (const [ms, count] of [[80, 50], [150, 30], [400, 15], [900, 5]] as const) {
      histograms.push({ name: 'infra.http.request.latency_ms', series_key: '', window_start: t, window_seconds: 60, bucket: bucketIndex(ms), bucket_count: count });
    }
  }
  for (let i = 0; i < histograms.length; i += 2_000) await warehouse.upsert('metric_histograms', histograms.slice(i, i + 2_000));

  await seedPipelineHour(warehouse, nowMs);

  await warehouse.insertEvents([{ event_id: `seed-${nowMs}`, name: 'infra.http.request.count', kind: 'count', value: 1, event_ts_ms: nowMs - 20_000, ingest_ts_ms: nowMs - 10_000, series_key: '', tags: '{}', service: 'seed', environment: 'test', message_id: null }]);
  await warehouse.upsert('job_state', [{ job: 'rollup', last_run_at: nowMs - 30_000, watermark: nowMs - 40_000 }]);
}

/**
 * The pipeline's own metrics in each of the 55 whole minutes before `nowMs`: six ingest reports a
 * minute, one run of each job, deliveries to on-call Slack, and a few dead letters. The card's
 * totals are these per-minute numbers × 55 for as long as every seeded minute is inside its last
 * hour — up to 5 minutes after `nowMs`, time enough for a test suite.
 */
export const PIPELINE_SEED = {
  minutes: 55,
  messagesPerMinute: 240,
  storedPerMinute: 1_200,
  duplicatesPerMinute: 2,
  /** Dead letters by reason, in every tenth minute. */
  deadLettersEveryTenMinutes: { unknown_metric: 3, invalid_json: 1 },
  lagMs: [400, 650, 900, 1_200, 1_500, 4_000],
  rollupMs: 180,
  sloMs: 95,
  alertsMs: 420,
} as const;

async function seedPipelineHour(warehouse: Warehouse, nowMs: number): Promise<void> {
  const s = PIPELINE_SEED;
  const rollups: Row[] = [];
  const histograms: Row[] = [];
  const thisMinute = Math.floor(nowMs / MINUTE) * MINUTE;
  for (let m = 1; m <= s.minutes; m++) {
    const t = thisMinute - m * MINUTE;
    const row = (name: string, kind: string, events: number, sum: number, tags: Record<string, string> = {}, last: number | null = null): Row => ({
      name, series_key: Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(','), tags: JSON.stringify(tags), kind, window_start: t, window_seconds: 60,
      event_count: events, value_sum: sum, value_max: events > 0 ? sum / events : null, last_value: last, last_ts: t + 30_000, updated_at: nowMs,
    });
    rollups.push(
      row('infra.pipeline.ingest.message.count', 'count', 6, s.messagesPerMinute),
      row('infra.pipeline.ingest.stored.count', 'count', 6, s.storedPerMinute),
      row('infra.pipeline.ingest.duplicate.count', 'count', 1, s.duplicatesPerMinute),
      { ...row('infra.pipeline.ingest.lag_ms', 'timing', s.lagMs.length, s.lagMs.reduce((a, b) => a + b, 0)), value_max: Math.max(...s.lagMs) },
      row('infra.pipeline.rollup.duration_ms', 'timing', 1, s.rollupMs),
      row('infra.pipeline.rollup.watermark_lag_ms', 'gauge', 1, 10_000, {}, 10_000),
      row('infra.pipeline.slo.duration_ms', 'timing', 1, s.sloMs),
      row('infra.pipeline.alerts.evaluation.duration_ms', 'timing', 1, s.alertsMs),
      row('infra.pipeline.alerts.retry_waiting', 'gauge', 1, 0, {}, 0),
    );
    if (m % 10 === 0) {
      for (const [reason, n] of Object.entries(s.deadLettersEveryTenMinutes)) rollups.push(row('infra.pipeline.ingest.dead_letter.count', 'count', 1, n, { reason }));
      rollups.push(row('infra.pipeline.alerts.delivery.count', 'count', 1, 1, { channel: 'oncall-slack', outcome: 'delivered' }));
    }
    for (const ms of s.lagMs) histograms.push({ name: 'infra.pipeline.ingest.lag_ms', series_key: '', window_start: t, window_seconds: 60, bucket: bucketIndex(ms), bucket_count: 1 });
  }
  await warehouse.upsert('metric_rollups', rollups);
  await warehouse.upsert('metric_histograms', histograms);
}

/** The P0 of {@link seedResolvedP0}: fired 3 hours before now, resolved 14 minutes later. */
export const RESOLVED_P0 = {
  ruleId: 'wallet-spend-failures-critical',
  title: 'Wallet spend failures',
  firedAgoMs: 3 * HOUR,
  durationMs: 14 * MINUTE,
  value: 14,
} as const;

/**
 * alert_log transitions of one resolved P0 episode ({@link RESOLVED_P0}): pending → firing →
 * resolved, as the alert evaluator appends them (alerts/state/alert-log.ts).
 */
export async function seedResolvedP0(warehouse: Warehouse, nowMs: number): Promise<void> {
  const fired = nowMs - RESOLVED_P0.firedAgoMs;
  const transition = (id: string, atMs: number, from: string, to: string, value: number): Row => ({
    log_id: `seed-p0-${id}`, logged_at: atMs, entry_type: 'transition', fingerprint: 'seed-wallet-p0', rule_id: RESOLVED_P0.ruleId, severity: 'P0',
    from_state: from, to_state: to, channel: null, delivery_status: null, detail: JSON.stringify({ value, threshold: 10, runId: 'seed' }),
  });
  await warehouse.upsert('alert_log', [
    transition('firing', fired, 'inactive', 'firing', RESOLVED_P0.value),
    transition('resolved', fired + RESOLVED_P0.durationMs, 'firing', 'resolved', 0),
  ]);
}
