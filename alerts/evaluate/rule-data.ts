import type { AnomalyMinutesRead, AnomalyReadShape } from '../anomaly/anomaly-data';
import { parseSeriesKey } from '../../shared/series-key';
import type { SloSpec } from '../../shared/slo-catalogue';
import type { ChannelDeliveries, DeadLetterCounts, JobFreshness, ModuleActivityRead } from './pipeline-data';
import type { SliWindowCounts } from './slo-windows';
import type { ForecastInput } from './forecast-evaluator';

/**
 * The data rules are evaluated on, fetched once per run for every rule (rule-data-source.ts says
 * what is fetched and how). Kept as plain rows so the evaluator stays pure and a benchmark or a
 * unit test can build a snapshot without a warehouse.
 */

/** One series' totals over a rule window (the 1-minute rollups in the window, summed). */
export interface SeriesTotal {
  readonly name: string;
  readonly seriesKey: string;
  readonly eventCount: number;
  readonly valueSum: number;
  readonly valueMax: number | null;
}

/** One series' merged histogram over a rule window: (bucket, count) pairs. */
export interface SeriesBuckets {
  readonly seriesKey: string;
  readonly buckets: ReadonlyArray<readonly [number, number]>;
}

/** What the rules need fetched. Needs are deduplicated by {@link needKey}. */
export type DataNeed =
  | { readonly kind: 'totals'; readonly windowSeconds: number }
  | { readonly kind: 'histogram'; readonly metric: string; readonly windowSeconds: number }
  | { readonly kind: 'slo-windows'; readonly slos: readonly SloSpec[] }
  | { readonly kind: 'job-state' }
  | { readonly kind: 'dead-letters'; readonly windowSeconds: number }
  /** Events per metric on each of the `days` UTC days before today, and in the `silentSeconds` before the rollup watermark. */
  | { readonly kind: 'module-activity'; readonly days: number; readonly silentSeconds: number }
  | { readonly kind: 'channel-deliveries'; readonly lookbackSeconds: number }
  /** Anomaly rules (alerts/anomaly/): one metric's minutes in the recent range and the same minutes of past weeks. */
  | ({ readonly kind: 'anomaly-minutes'; readonly metric: string; readonly histogram: boolean } & AnomalyReadShape);

export function needKey(need: DataNeed): string {
  switch (need.kind) {
    case 'totals':
      return `totals|${need.windowSeconds}`;
    case 'histogram':
      return `histogram|${need.metric}|${need.windowSeconds}`;
    case 'slo-windows':
      return `slo-windows|${need.slos.map((s) => s.id).join(',')}`;
    case 'job-state':
      return 'job-state';
    case 'dead-letters':
      return `dead-letters|${need.windowSeconds}`;
    case 'module-activity':
      return `module-activity|${need.days}|${need.silentSeconds}`;
    case 'channel-deliveries':
      return `channel-deliveries|${need.lookbackSeconds}`;
    case 'anomaly-minutes':
      return `anomaly-minutes|${need.metric}|${need.histogram}|${need.judgedMinutes}|${need.weeks}|${need.neighbourMinutes}|${need.recentMinutes}`;
  }
}

/**
 * The fetched data of one run. Series keys are parsed into tags once per snapshot, however many
 * rules read them (the hot path of the benchmark).
 */
export class RuleDataSnapshot {
  private readonly totalsByWindow = new Map<number, Map<string, SeriesTotal[]>>();
  private readonly histograms = new Map<string, SeriesBuckets[]>();
  private readonly sloWindowCounts = new Map<string, SliWindowCounts>();
  private readonly sloStatuses = new Map<string, ForecastInput>();
  private readonly tagCache = new Map<string, Readonly<Record<string, string>>>();
  private jobStates: readonly JobFreshness[] | undefined;

  /**
   * @param nowMs the evaluation time the data was fetched for: rules that judge ages (a job's
   *   freshness, how long a channel has failed) need it. Null: those rules observe no data.
   */
  constructor(readonly nowMs: number | null = null) {}
  private readonly deadLetterCounts = new Map<number, DeadLetterCounts>();
  private readonly activity = new Map<string, ModuleActivityRead>();
  private readonly deliveries = new Map<number, readonly ChannelDeliveries[]>();
  private readonly anomalyReads = new Map<string, AnomalyMinutesRead>();

  /** Totals of every metric over the window of `windowSeconds` ending now. */
  setTotals(windowSeconds: number, rows: readonly SeriesTotal[]): this {
    const byMetric = new Map<string, SeriesTotal[]>();
    for (const row of rows) {
      let list = byMetric.get(row.name);
      if (!list) byMetric.set(row.name, (list = []));
      list.push(row);
    }
    this.totalsByWindow.set(windowSeconds, byMetric);
    return this;
  }

  setHistograms(metric: string, windowSeconds: number, rows: readonly SeriesBuckets[]): this {
    this.histograms.set(needKey({ kind: 'histogram', metric, windowSeconds }), [...rows]);
    return this;
  }

  /** Per SLO id: its SLI's total and bad events in every burn window ending now. */
  setSloWindows(counts: ReadonlyMap<string, SliWindowCounts>): this {
    for (const [id, c] of counts) this.sloWindowCounts.set(id, c);
    return this;
  }

  /** Per SLO id: its status at now (budget left, burn per window, its window) — what budget forecasts read. */
  setSloStatuses(statuses: ReadonlyMap<string, ForecastInput>): this {
    for (const [id, s] of statuses) this.sloStatuses.set(id, s);
    return this;
  }

  /** Every `job_state` row. */
  setJobStates(rows: readonly JobFreshness[]): this {
    this.jobStates = [...rows];
    return this;
  }

  setDeadLetters(windowSeconds: number, counts: DeadLetterCounts): this {
    this.deadLetterCounts.set(windowSeconds, counts);
    return this;
  }

  setModuleActivity(days: number, silentSeconds: number, read: ModuleActivityRead): this {
    this.activity.set(needKey({ kind: 'module-activity', days, silentSeconds }), read);
    return this;
  }

  setChannelDeliveries(lookbackSeconds: number, rows: readonly ChannelDeliveries[]): this {
    this.deliveries.set(lookbackSeconds, [...rows]);
    return this;
  }

  setAnomalyMinutes(need: Extract<DataNeed, { kind: 'anomaly-minutes' }>, read: AnomalyMinutesRead): this {
    this.anomalyReads.set(needKey(need), read);
    return this;
  }

  /** An anomaly need's read; undefined when it was not fetched or the rollups never ran. */
  anomalyMinutes(need: Extract<DataNeed, { kind: 'anomaly-minutes' }>): AnomalyMinutesRead | undefined {
    return this.anomalyReads.get(needKey(need));
  }

  /** A job's `job_state` row; undefined when the job never ran, or when job state was not fetched. */
  jobState(job: string): JobFreshness | undefined {
    return this.jobStates?.find((row) => row.job === job);
  }

  deadLetters(windowSeconds: number): DeadLetterCounts | undefined {
    return this.deadLetterCounts.get(windowSeconds);
  }

  moduleActivity(days: number, silentSeconds: number): ModuleActivityRead | undefined {
    return this.activity.get(needKey({ kind: 'module-activity', days, silentSeconds }));
  }

  channelDeliveries(lookbackSeconds: number): readonly ChannelDeliveries[] | undefined {
    return this.deliveries.get(lookbackSeconds);
  }

  totals(windowSeconds: number, metric: string): readonly SeriesTotal[] {
    return this.totalsByWindow.get(windowSeconds)?.get(metric) ?? [];
  }

  histogram(metric: string, windowSeconds: number): readonly SeriesBuckets[] {
    return this.histograms.get(needKey({ kind: 'histogram', metric, windowSeconds })) ?? [];
  }

  sloWindows(sloId: string): SliWindowCounts | undefined {
    return this.sloWindowCounts.get(sloId);
  }

  sloStatus(sloId: string): ForecastInput | undefined {
    return this.sloStatuses.get(sloId);
  }

  /** The tags of a series key, parsed once. */
  tags(seriesKey: string): Readonly<Record<string, string>> {
    let tags = this.tagCache.get(seriesKey);
    if (!tags) this.tagCache.set(seriesKey, (tags = parseSeriesKey(seriesKey)));
    return tags;
  }
}

/** A `where` filter as entries, computed once per rule. */
export type WhereEntries = ReadonlyArray<readonly [string, string]>;

/** True when the series' tags include every `where` pair. */
export function matchesWhere(tags: Readonly<Record<string, string>>, where: WhereEntries): boolean {
  for (const [key, value] of where) {
    if (!Object.prototype.hasOwnProperty.call(tags, key) || tags[key] !== value) return false;
  }
  return true;
}
