import type { AnomalyDirection, AnomalyParams } from './anomaly-params';

/**
 * The anomaly model (issue #16), pure. docs/ALERTS.md, "Anomaly detection", explains the choice.
 *
 * Seasonal band: the baseline of minute t is the median of the same minute-of-week in the last
 * `weeks` weeks, each read at t ± `neighbourMinutes` (2n+1 samples a week, so one noisy minute a
 * week ago does not set the baseline); the band is baseline ± k·σ with σ = 1.4826·MAD, the robust
 * estimate of the standard deviation (1.4826 = 1/Φ⁻¹(3/4), which makes the MAD of normal data
 * estimate σ; Rousseeuw & Croux 1993). Median and MAD have a 50% breakdown point: an incident in one
 * of four past weeks moves neither. σ has a floor (`relativeFloor`·|baseline|, `absoluteFloor`),
 * so a flat series does not alarm on a tiny change.
 *
 * Fallback, while fewer than `minWeeks` past weeks have data: a rolling quantile band over the
 * `fallbackHours` before the judged minute — Tukey's fences [Q1 − c·IQR, Q3 + c·IQR] with
 * c = (k − 0.6745) / 1.349, which puts the fences of normal data at the same k·σ as the seasonal
 * band (Q3 = μ + 0.6745σ, IQR = 1.349σ), at least the same floor around the median. Quartiles
 * break down at 25%: the first minutes of an anomaly do not widen the band (extreme quantiles such
 * as Q(99%) did, after two minutes of a spike: bench/anomaly.bench.ts). Without seasonality it
 * only catches changes sharper than the window's own swing.
 */

/** 1/Φ⁻¹(3/4): makes the MAD of normally distributed data an estimate of its standard deviation. */
export const MAD_TO_SIGMA = 1.4826;
/** Φ⁻¹(3/4): the upper quartile of standard normal data. */
const NORMAL_Q3 = 0.6745;
/** The interquartile range of standard normal data (2 · Φ⁻¹(3/4)). */
const NORMAL_IQR = 1.349;
/** The fewest samples a fallback window needs (15 minutes); fewer: no band, nothing is judged. */
export const FALLBACK_MIN_SAMPLES = 15;

export const MINUTE_MS = 60_000;
export const WEEK_MS = 7 * 86_400_000;

export interface Band {
  readonly baseline: number;
  readonly lower: number;
  readonly upper: number;
  /** `seasonal`: median/MAD of the same minute-of-week; `fallback`: the rolling quantile band. */
  readonly source: 'seasonal' | 'fallback';
}

/** Median of the numbers (sorts a copy); NaN for none. */
export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}

/** Linear-interpolation quantile of an ascending array (type 7, as R's default); NaN for none. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Median absolute deviation from `center`. */
export function mad(values: readonly number[], center: number): number {
  return median(values.map((v) => Math.abs(v - center)));
}

function floorOf(params: Pick<AnomalyParams, 'relativeFloor' | 'absoluteFloor'>, baseline: number): number {
  return Math.max(params.relativeFloor * Math.abs(baseline), params.absoluteFloor);
}

/** The seasonal band from the past weeks' samples around one minute; undefined without samples. */
export function seasonalBand(samples: readonly number[], params: Pick<AnomalyParams, 'k' | 'relativeFloor' | 'absoluteFloor'>): Band | undefined {
  if (samples.length === 0) return undefined;
  const baseline = median(samples);
  const sigma = Math.max(MAD_TO_SIGMA * mad(samples, baseline), floorOf(params, baseline));
  return { baseline, lower: baseline - params.k * sigma, upper: baseline + params.k * sigma, source: 'seasonal' };
}

/** The rolling quantile band from the recent window's samples; undefined with fewer than {@link FALLBACK_MIN_SAMPLES}. */
export function fallbackBand(samples: readonly number[], params: Pick<AnomalyParams, 'k' | 'relativeFloor' | 'absoluteFloor'>): Band | undefined {
  if (samples.length < FALLBACK_MIN_SAMPLES) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const baseline = quantileSorted(sorted, 0.5);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const fence = (Math.max(params.k - NORMAL_Q3, 0) / NORMAL_IQR) * (q3 - q1);
  const floor = params.k * floorOf(params, baseline);
  return {
    baseline,
    lower: Math.min(q1 - fence, baseline - floor),
    upper: Math.max(q3 + fence, baseline + floor),
    source: 'fallback',
  };
}

/** Which side of the band the value is on, counting only the sides `direction` watches. */
export function sideOf(value: number, band: Band, direction: AnomalyDirection): 'above' | 'below' | undefined {
  if (value > band.upper && direction !== 'down') return 'above';
  if (value < band.lower && direction !== 'up') return 'below';
  return undefined;
}

/**
 * One series' values per minute, as the model reads them. `valueAt` returns null for a minute
 * without a value (a percentile of a minute with no calls; any minute of a week without data).
 * `weekHasData(w)` says whether the w-th past week (1 = a week ago) had data at all around the
 * judged minutes: the seasonal band needs `minWeeks` of them.
 */
export interface MinuteValues {
  valueAt(minuteMs: number): number | null;
  weekHasData(week: number): boolean;
}

export interface JudgedMinute {
  readonly minuteMs: number;
  readonly value: number | null;
  readonly band: Band | undefined;
  readonly side: 'above' | 'below' | undefined;
}

/** The band of one minute: seasonal with enough past weeks, else the fallback over the hours before it. */
export function bandAt(series: MinuteValues, minuteMs: number, params: AnomalyParams): Band | undefined {
  let weeksWithData = 0;
  for (let w = 1; w <= params.weeks; w++) if (series.weekHasData(w)) weeksWithData++;
  if (weeksWithData >= params.minWeeks) {
    const samples: number[] = [];
    for (let w = 1; w <= params.weeks; w++) {
      if (!series.weekHasData(w)) continue;
      for (let d = -params.neighbourMinutes; d <= params.neighbourMinutes; d++) {
        const v = series.valueAt(minuteMs - w * WEEK_MS + d * MINUTE_MS);
        if (v !== null) samples.push(v);
      }
    }
    return seasonalBand(samples, params);
  }
  const samples: number[] = [];
  const windowMinutes = Math.round(params.fallbackHours * 60);
  for (let i = windowMinutes; i >= 1; i--) {
    const v = series.valueAt(minuteMs - i * MINUTE_MS);
    if (v !== null) samples.push(v);
  }
  return fallbackBand(samples, params);
}

/** Judges one minute: its value, its band and the side it is on (undefined: inside, or no value or band). */
export function judgeMinute(series: MinuteValues, minuteMs: number, params: AnomalyParams): JudgedMinute {
  const value = series.valueAt(minuteMs);
  const band = bandAt(series, minuteMs, params);
  const side = value === null || band === undefined ? undefined : sideOf(value, band, params.direction);
  return { minuteMs, value, band, side };
}

/**
 * The verdict over the `consecutiveMinutes` minutes ending at `endMs` (exclusive, minute-aligned):
 * breaching when every one of them is outside the band on a watched side (Prometheus `for`,
 * counted in minutes of data, so a late evaluation judges the same minutes). `minutes` lists
 * them oldest first.
 */
export function judgeWindow(series: MinuteValues, endMs: number, params: AnomalyParams): { breaching: boolean; minutes: JudgedMinute[] } {
  const minutes: JudgedMinute[] = [];
  for (let i = params.consecutiveMinutes; i >= 1; i--) minutes.push(judgeMinute(series, endMs - i * MINUTE_MS, params));
  return { breaching: minutes.every((m) => m.side !== undefined), minutes };
}
