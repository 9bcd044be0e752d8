import { ALERT_RULES } from '../shared/alert-rules';
import { seriesKey } from '../shared/series-key';
import { activeSlos } from '../shared/slo-catalogue';

/**
 * The cardinality limit: at most `maxSeriesPerMetricPerDay` distinct series per metric per UTC
 * day; an event of a new series beyond that is stored under its metric's overflow series instead
 * (OpenTelemetry's SDK does the same with its cardinality limit, default 2,000, folding into the
 * attribute set `otel.metric.overflow=true`).
 *
 * Tag keys are allow-listed by the catalogue, tag values are not: one producer sending a request
 * id as `endpoint` creates a series per event, and every job that reads series pays for it for 30
 * days. Folding keeps the number of series — rollup rows, alert and SLO inputs — bounded per day.
 *
 * ## The overflow series
 * Tags `{"overflow":"true"}` (series_key `overflow=true`), plus the tags SLO and alert selectors
 * filter on, when the event carries one of the values they select (`tier=core`,
 * `status_class=5xx`, …: {@link selectorTagValues}). That keeps every catalogue SLI exact when a
 * metric overflows — a folded 5xx on the core tier still counts against core availability — while
 * the overflow series of a metric stay few (one per combination of selected values). Producers
 * cannot send `overflow` themselves: it is not an allow-listed tag key of any metric.
 *
 * ## Contract
 * - `seriesOf` never throws and decides in O(1): the same series again is always admitted on the
 *   day it was admitted; a new series is admitted while the metric has fewer than the limit today.
 * - Memory is bounded: per metric (catalogue names only: the validator ran first) a set of at most
 *   `maxSeriesPerMetricPerDay` keys, for the current UTC day only — a new day drops the old sets.
 * - The day is the UTC day of ingest (the handler's clock), not of the event: a late event counts
 *   against the day it arrives. The limit bounds how fast new series appear.
 * - Per process. `seed` loads series already admitted today (ingest/cardinality-seed.ts reads
 *   them from the day rollups at start), so a restart does not grant a fresh allowance; several
 *   concurrent instances (Cloud Functions) each admit up to the limit beyond what they were seeded
 *   with, so the warehouse may hold up to instances × the limit new series of a metric in one day.
 */

export const DEFAULT_MAX_SERIES_PER_METRIC_PER_DAY = 2_000;
export const OVERFLOW_TAG_KEY = 'overflow';
export const OVERFLOW_TAG_VALUE = 'true';
/** The overflow series of a metric without selector tags. */
export const OVERFLOW_SERIES_KEY = `${OVERFLOW_TAG_KEY}=${OVERFLOW_TAG_VALUE}`;

const DAY_MS = 86_400_000;

/** Per metric: the tag keys selectors filter on, and the values they select. */
export type RetainedTags = ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;

/** The series an event is stored under: canonical key and tags JSON (as in metric_events). */
export interface StoredSeries {
  readonly seriesKey: string;
  readonly tagsJson: string;
}

export interface CardinalityLimiterOptions {
  /** Default {@link DEFAULT_MAX_SERIES_PER_METRIC_PER_DAY}. */
  readonly maxSeriesPerMetricPerDay?: number;
  /** Default: {@link selectorTagValues} of the SLO and alert-rule catalogues. */
  readonly retainedTags?: RetainedTags;
}

export interface CardinalityStats {
  readonly maxSeriesPerMetricPerDay: number;
  /** Start of the UTC day the sets are for (epoch ms); null before the first event. */
  readonly dayMs: number | null;
  /** Series admitted today, all metrics. */
  readonly admittedSeries: number;
  /** Events folded into an overflow series since the process started. */
  readonly foldedEvents: number;
  /** Folded events since the process started, per metric. */
  readonly foldedByMetric: Readonly<Record<string, number>>;
  /** Metrics at their limit today. */
  readonly metricsAtLimit: readonly string[];
}

/** True when a series key is an overflow series (what analysts filter on: tags.overflow = 'true'). */
export function isOverflowSeriesKey(key: string): boolean {
  return key === OVERFLOW_SERIES_KEY || `,${key},`.includes(`,${OVERFLOW_SERIES_KEY},`);
}

/** The tags SLO selectors and alert rules filter on, per metric, with the values they select. */
export function selectorTagValues(): RetainedTags {
  const out = new Map<string, Map<string, Set<string>>>();
  const add = (metric: string, where: Readonly<Record<string, string>> | undefined) => {
    for (const [key, value] of Object.entries(where ?? {})) {
      let keys = out.get(metric);
      if (!keys) out.set(metric, (keys = new Map<string, Set<string>>()));
      let values = keys.get(key);
      if (!values) keys.set(key, (values = new Set<string>()));
      values.add(value);
    }
  };
  for (const slo of activeSlos()) for (const s of [...slo.sli.total, ...(slo.sli.good ?? []), ...(slo.sli.bad ?? [])]) add(s.metric, s.where);
  for (const rule of ALERT_RULES) add(rule.metric, rule.where);
  return out;
}

export class CardinalityLimiter {
  readonly maxSeriesPerMetricPerDay: number;
  private readonly retained: RetainedTags;
  private dayMs: number | null = null;
  private readonly admitted = new Map<string, Set<string>>();
  /** Overflow series of metrics without retained tags: one per metric, built once. */
  private readonly plainOverflow = new Map<string, StoredSeries>();
  private readonly folded = new Map<string, number>();
  private foldedTotal = 0;

  constructor(options: CardinalityLimiterOptions = {}) {
    const max = options.maxSeriesPerMetricPerDay ?? DEFAULT_MAX_SERIES_PER_METRIC_PER_DAY;
    if (!(Number.isInteger(max) && max >= 1)) throw new Error(`maxSeriesPerMetricPerDay must be a whole number ≥ 1, got ${max}`);
    this.maxSeriesPerMetricPerDay = max;
    this.retained = options.retainedTags ?? selectorTagValues();
  }

  /**
   * The series to store an event of `metric` under: `series` itself when admitted, else the
   * metric's overflow series. `tags` are the event's tags (for the selector tags kept on folding).
   */
  seriesOf(metric: string, tags: Readonly<Record<string, string>>, series: StoredSeries, nowMs: number): StoredSeries {
    const keys = this.setFor(metric, nowMs);
    if (keys.has(series.seriesKey)) return series;
    if (keys.size < this.maxSeriesPerMetricPerDay) {
      keys.add(series.seriesKey);
      return series;
    }
    this.foldedTotal++;
    this.folded.set(metric, (this.folded.get(metric) ?? 0) + 1);
    return this.overflowSeries(metric, tags);
  }

  /**
   * Marks series as already admitted on the UTC day of `dayMs` (a restart reading what earlier
   * processes stored today). Overflow series are skipped; at most the limit per metric is kept.
   */
  seed(dayMs: number, series: Iterable<{ readonly name: string; readonly seriesKey: string }>): void {
    for (const { name, seriesKey: key } of series) {
      if (isOverflowSeriesKey(key)) continue;
      const keys = this.setFor(name, dayMs);
      if (keys.size < this.maxSeriesPerMetricPerDay) keys.add(key);
    }
  }

  get stats(): CardinalityStats {
    let admittedSeries = 0;
    const metricsAtLimit: string[] = [];
    for (const [metric, keys] of this.admitted) {
      admittedSeries += keys.size;
      if (keys.size >= this.maxSeriesPerMetricPerDay) metricsAtLimit.push(metric);
    }
    return {
      maxSeriesPerMetricPerDay: this.maxSeriesPerMetricPerDay,
      dayMs: this.dayMs,
      admittedSeries,
      foldedEvents: this.foldedTotal,
      foldedByMetric: Object.fromEntries(this.folded),
      metricsAtLimit: metricsAtLimit.sort(),
    };
  }

  private setFor(metric: string, nowMs: number): Set<string> {
    const day = Math.floor(nowMs / DAY_MS) * DAY_MS;
    if (day !== this.dayMs) {
      // A new day (or a clock set back): yesterday's sets are dropped, not kept beside today's.
      this.dayMs = day;
      this.admitted.clear();
    }
    let keys = this.admitted.get(metric);
    if (!keys) this.admitted.set(metric, (keys = new Set()));
    return keys;
  }

  private overflowSeries(metric: string, tags: Readonly<Record<string, string>>): StoredSeries {
    const retained = this.retained.get(metric);
    if (retained === undefined) {
      let plain = this.plainOverflow.get(metric);
      if (!plain) this.plainOverflow.set(metric, (plain = toStored({ [OVERFLOW_TAG_KEY]: OVERFLOW_TAG_VALUE })));
      return plain;
    }
    const kept: Record<string, string> = { [OVERFLOW_TAG_KEY]: OVERFLOW_TAG_VALUE };
    for (const [key, values] of retained) {
      const value = Object.prototype.hasOwnProperty.call(tags, key) ? tags[key] : undefined;
      if (value !== undefined && values.has(value)) kept[key] = value;
    }
    return toStored(kept);
  }
}

function toStored(tags: Record<string, string>): StoredSeries {
  const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { seriesKey: seriesKey(sorted), tagsJson: JSON.stringify(sorted) };
}
