/**
 * The labelled data set of `npm run bench -- anomaly` (issue #16): many series of events per
 * minute over five weeks with daily and weekly seasonality and Poisson noise; the first four weeks
 * are history, the fifth is scored. Anomalies of four kinds are injected into the fifth week and
 * labelled with their interval; a few unlabelled incidents are put into the history weeks too, so
 * the baseline has to be robust to them (they are not scored). Seeded: the same data every run.
 */
import { seededRandom } from '../cli/local/demo/random';

export type AnomalyType = 'spike' | 'drop' | 'level_shift' | 'drift';
export const ANOMALY_TYPES: readonly AnomalyType[] = ['spike', 'drop', 'level_shift', 'drift'];

export interface LabelledAnomaly {
  readonly type: AnomalyType;
  /** Minute index (from the start of the data) of the first anomalous minute. */
  readonly start: number;
  /** Minute index after the last anomalous minute. */
  readonly end: number;
}

export interface BenchSeries {
  readonly id: string;
  /** The kind of anomaly injected into this series' scored week; undefined: a clean series. */
  readonly type: AnomalyType | undefined;
  /** Events per minute, one value per minute of the five weeks. */
  readonly values: Float64Array;
  readonly anomalies: readonly LabelledAnomaly[];
}

export const MINUTES_PER_DAY = 1_440;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
export const WEEKS = 5;
/** The scored week: the last one. */
export const SCORED_FROM = (WEEKS - 1) * MINUTES_PER_WEEK;
/** Monday 2026-01-05 00:00 UTC: minute 0 of the data. */
export const START_MS = Date.UTC(2026, 0, 5);

export interface DataSetOptions {
  readonly seriesPerType: number;
  readonly cleanSeries: number;
  readonly anomaliesPerSeries: number;
  readonly seed: number;
}

export const DEFAULT_DATA_SET: DataSetOptions = { seriesPerType: 10, cleanSeries: 8, anomaliesPerSeries: 3, seed: 16 };

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A Poisson draw (Knuth below 30, the normal approximation above). */
function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** The expected events of minute m of a series: level × daily cycle × weekday/weekend factor. */
function expectedAt(m: number, level: number, dailyAmplitude: number, phase: number, weekendFactor: number): number {
  const minuteOfDay = m % MINUTES_PER_DAY;
  const day = Math.floor(m / MINUTES_PER_DAY) % 7; // 0 = Monday
  const daily = 1 + dailyAmplitude * Math.sin((2 * Math.PI * minuteOfDay) / MINUTES_PER_DAY + phase);
  // A second harmonic: a sharper evening peak than a sine.
  const evening = 1 + 0.25 * dailyAmplitude * Math.sin((4 * Math.PI * minuteOfDay) / MINUTES_PER_DAY + 2 * phase);
  return level * daily * evening * (day >= 5 ? weekendFactor : 1);
}

/** The multiplier an anomaly applies at minute m (1 outside it). */
function effectOf(a: LabelledAnomaly & { readonly factor: number }, m: number): number {
  if (m < a.start || m >= a.end) return 1;
  if (a.type !== 'drift') return a.factor;
  return 1 + (a.factor - 1) * ((m - a.start + 1) / (a.end - a.start));
}

function makeAnomaly(type: AnomalyType, start: number, random: () => number): LabelledAnomaly & { factor: number } {
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  switch (type) {
    case 'spike':
      return { type, start, end: start + Math.round(between(5, 20)), factor: between(2, 4) };
    case 'drop':
      return { type, start, end: start + Math.round(between(10, 60)), factor: between(0.1, 0.5) };
    case 'level_shift':
      return { type, start, end: start + Math.round(between(6, 24) * 60), factor: random() < 0.5 ? between(1.5, 2) : between(0.4, 0.6) };
    case 'drift':
      return { type, start, end: start + Math.round(between(6, 12) * 60), factor: between(1.5, 2) };
  }
}

/** Non-overlapping anomaly starts in [from, to), at least `gap` minutes apart (end to start). */
function placeAnomalies(type: AnomalyType, count: number, from: number, to: number, random: () => number): Array<LabelledAnomaly & { factor: number }> {
  const out: Array<LabelledAnomaly & { factor: number }> = [];
  const gap = 12 * 60;
  for (let attempt = 0; out.length < count && attempt < 1_000; attempt++) {
    const start = from + Math.floor(random() * (to - from));
    const a = makeAnomaly(type, start, random);
    if (a.end > to) continue;
    if (out.some((b) => a.start < b.end + gap && b.start < a.end + gap)) continue;
    out.push(a);
  }
  return out.sort((x, y) => x.start - y.start);
}

export function generateDataSet(options: DataSetOptions = DEFAULT_DATA_SET): BenchSeries[] {
  const random = seededRandom(options.seed);
  const kinds: Array<AnomalyType | undefined> = [];
  for (const type of ANOMALY_TYPES) for (let i = 0; i < options.seriesPerType; i++) kinds.push(type);
  for (let i = 0; i < options.cleanSeries; i++) kinds.push(undefined);
  const total = WEEKS * MINUTES_PER_WEEK;
  return kinds.map((type, index) => {
    const level = Math.exp(Math.log(20) + random() * (Math.log(500) - Math.log(20)));
    const dailyAmplitude = 0.3 + 0.4 * random();
    const phase = random() * 2 * Math.PI;
    const weekendFactor = 0.6 + 0.3 * random();
    const scored = type ? placeAnomalies(type, options.anomaliesPerSeries, SCORED_FROM + 60, total - 60, random) : [];
    // One unlabelled incident in each history week (a random kind): the baseline must shrug it off.
    const history = Array.from({ length: WEEKS - 1 }, (_, w) => {
      const kind = ANOMALY_TYPES[Math.floor(random() * 3)] as AnomalyType; // spikes, drops, shifts
      return placeAnomalies(kind, 1, w * MINUTES_PER_WEEK + 60, (w + 1) * MINUTES_PER_WEEK - 60, random);
    }).flat();
    const all = [...history, ...scored];
    const values = new Float64Array(total);
    for (let m = 0; m < total; m++) {
      let mean = expectedAt(m, level, dailyAmplitude, phase, weekendFactor);
      for (const a of all) mean *= effectOf(a, m);
      // A little extra-Poisson noise (3%), as real traffic has.
      values[m] = poisson(random, mean * (1 + 0.03 * normal(random)));
    }
    return { id: `s${String(index).padStart(2, '0')}`, type, values, anomalies: scored.map(({ type: t, start, end }) => ({ type: t, start, end })) };
  });
}
