import pLimit from 'p-limit';
import { computeSloStatuses } from '../../aggregator/slo-job';
import { anomalyEndMs, readAnomalyMinutes } from '../anomaly/anomaly-read';
import { PIPELINE_JOBS } from '../../shared/alert-rules';
import { WIRE_LIMITS } from '../../shared/event-schema';
import { alertSeriesHistogram, alertSeriesTotals } from '../../sql/queries/alert-rules';
import { jobRuns } from '../../sql/queries/health';
import { pipelineModuleActivity } from '../../sql/queries/pipeline-absence';
import { pipelineChannelDeliveries } from '../../sql/queries/pipeline-deliveries';
import { pipelineDeadLetterCounts } from '../../sql/queries/pipeline-ingest';
import type { Warehouse } from '../../sql/warehouse';
import { RuleDataSnapshot, type DataNeed, type SeriesBuckets } from './rule-data';
import { windowCountsOf } from './slo-windows';
import { numberOf, numberOrNull } from '../../sql/row-values';

/** Port: fetches what the rules need at `nowMs`. */
export interface RuleDataSource {
  fetch(needs: readonly DataNeed[], nowMs: number): Promise<RuleDataSnapshot>;
}

/** Queries in flight at once (DuckDB serialises them anyway; BigQuery benefits). */
const QUERY_CONCURRENCY = 4;

/**
 * Series per metric a totals read returns as themselves; the rest come back summed as the
 * overflow series (sql/queries/alert-rules.ts). The ingest limit's default: with it in place a
 * rule window rarely holds more. Bounds a run's rows to metrics × this, whatever the series count.
 */
export const MAX_TOTALS_SERIES_PER_METRIC = 2_000;
/** The same for p95 rules' histograms, which come back per (series, bucket). */
export const MAX_HISTOGRAM_SERIES = 500;
/**
 * The dead-letter ratio counts messages by ingest time, but metric_events is partitioned on event
 * time: events older than this before the window are not looked for (sql/queries/pipeline-ingest.ts).
 */
export const DEAD_LETTER_EVENT_DELAY_MS = 60 * 60_000;
const DAY_MS = 86_400_000;


/**
 * Reads rule data from the warehouse rollups: threshold rules through sql/queries/alert-rules.ts;
 * the pipeline's own rules through sql/queries/pipeline-*.ts and job_state (sql/queries/health.ts);
 * SLO burn rates through the aggregator's own SLO computation (aggregator/slo-job.ts), run for the
 * exact windows ending at `now` rather than read from the last slo_status row — that row is
 * written at the aggregator's `computed_at`, and the minimum-traffic guard needs the event counts
 * per window, which slo_status does not keep. One definition of the SLI, shared with slo_status.
 *
 * Memory: every read returns a bounded number of rows whatever the number of series — SLO sums
 * per selector, totals and histograms of at most a fixed number of series per metric (the rest
 * summed as the overflow series).
 */
export class WarehouseRuleDataSource implements RuleDataSource {
  constructor(private readonly warehouse: Warehouse) {}

  async fetch(needs: readonly DataNeed[], nowMs: number): Promise<RuleDataSnapshot> {
    const snapshot = new RuleDataSnapshot(nowMs);
    const limit = pLimit(QUERY_CONCURRENCY);
    await Promise.all(needs.map((need) => limit(() => this.fetchOne(need, nowMs, snapshot))));
    return snapshot;
  }

  private async fetchOne(need: DataNeed, nowMs: number, snapshot: RuleDataSnapshot): Promise<void> {
    switch (need.kind) {
      case 'totals': {
        const rows = await this.warehouse.query(alertSeriesTotals, {
          from_ms: nowMs - need.windowSeconds * 1000,
          to_ms: nowMs,
          max_series: MAX_TOTALS_SERIES_PER_METRIC,
        });
        snapshot.setTotals(
          need.windowSeconds,
          rows.map((r) => ({
            name: String(r.name),
            seriesKey: String(r.series_key),
            eventCount: numberOf(r.event_count),
            valueSum: numberOf(r.value_sum),
            valueMax: r.value_max === null ? null : numberOf(r.value_max),
          })),
        );
        return;
      }
      case 'histogram': {
        const rows = await this.warehouse.query(alertSeriesHistogram, {
          from_ms: nowMs - need.windowSeconds * 1000,
          to_ms: nowMs,
          name: need.metric,
          max_series: MAX_HISTOGRAM_SERIES,
        });
        const bySeries = new Map<string, Array<[number, number]>>();
        for (const r of rows) {
          const key = String(r.series_key);
          let list = bySeries.get(key);
          if (!list) bySeries.set(key, (list = []));
          list.push([numberOf(r.bucket), numberOf(r.bucket_count)]);
        }
        const series: SeriesBuckets[] = [...bySeries].map(([seriesKey, buckets]) => ({ seriesKey, buckets }));
        snapshot.setHistograms(need.metric, need.windowSeconds, series);
        return;
      }
      case 'slo-windows': {
        const statuses = await computeSloStatuses(this.warehouse, nowMs, need.slos);
        snapshot.setSloWindows(new Map(statuses.map((status) => [status.sloId, windowCountsOf(status)])));
        // The same computation gives budget forecasts their budget left and window (no second query).
        snapshot.setSloStatuses(new Map(statuses.map((status) => [status.sloId, status])));
        return;
      }
      case 'job-state': {
        const rows = await this.warehouse.query(jobRuns);
        snapshot.setJobStates(rows.map((r) => ({ job: String(r.job), watermarkMs: numberOrNull(r.watermark_ms), lastRunMs: numberOrNull(r.last_run_ms) })));
        return;
      }
      case 'dead-letters': {
        const fromMs = nowMs - need.windowSeconds * 1000;
        const [row] = await this.warehouse.query(pipelineDeadLetterCounts, {
          from_ms: fromMs,
          to_ms: nowMs,
          event_from_ms: fromMs - DEAD_LETTER_EVENT_DELAY_MS,
          event_to_ms: nowMs + WIRE_LIMITS.maxFutureSkewMs,
        });
        snapshot.setDeadLetters(need.windowSeconds, { messages: numberOf(row?.messages), deadLetteredMessages: numberOf(row?.dead_lettered_messages), deadLetters: numberOf(row?.dead_letters) });
        return;
      }
      case 'module-activity': {
        // The silent window ends at the rollup watermark: the rollups are complete up to it only.
        const jobs = await this.warehouse.query(jobRuns);
        const watermarkMs = numberOrNull(jobs.find((r) => r.job === PIPELINE_JOBS.rollup)?.watermark_ms);
        if (watermarkMs === null) return; // never rolled up: nothing to judge
        const windowEndMs = Math.min(nowMs, watermarkMs);
        const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
        const rows = await this.warehouse.query(pipelineModuleActivity, {
          days_from_ms: todayMs - need.days * DAY_MS,
          today_ms: todayMs,
          from_ms: windowEndMs - need.silentSeconds * 1000,
          to_ms: windowEndMs,
        });
        const activity = rows.map((r) => ({ metric: String(r.name), dayStartMs: numberOrNull(r.day_start_ms), events: numberOf(r.events) }));
        snapshot.setModuleActivity(need.days, need.silentSeconds, { rows: activity, windowEndMs });
        return;
      }
      case 'channel-deliveries': {
        const rows = await this.warehouse.query(pipelineChannelDeliveries, { from_ms: nowMs - need.lookbackSeconds * 1000, to_ms: nowMs });
        snapshot.setChannelDeliveries(
          need.lookbackSeconds,
          rows.map((r) => ({
            channel: String(r.channel),
            attempts: numberOf(r.attempts),
            lastSuccessMs: numberOrNull(r.last_success_ms),
            failuresSinceSuccess: numberOf(r.failures_since_success),
            firstFailureSinceSuccessMs: numberOrNull(r.first_failure_since_success_ms),
            lastFailureMs: numberOrNull(r.last_failure_ms),
          })),
        );
        return;
      }
      case 'anomaly-minutes': {
        const endMs = await anomalyEndMs(this.warehouse, nowMs);
        if (endMs === null) return; // never rolled up: nothing to judge
        snapshot.setAnomalyMinutes(need, await readAnomalyMinutes(this.warehouse, need, endMs));
        return;
      }
    }
  }
}
