/**
 * `npm run bench -- anomaly` (issue #16): the anomaly rules' model (alerts/anomaly/anomaly-model.ts)
 * against Prometheus's `holt_winters` (bench/anomaly-prometheus.ts) on the same generated,
 * labelled data (bench/anomaly-data.ts): 48 series × 5 weeks of events per minute, daily and weekly
 * seasonality, Poisson noise; the fifth week scored, with 3 injected anomalies in each of 40 series
 * (10 series per kind: spikes, drops, level shifts, slow drifts) and 8 clean series.
 *
 * Both detectors mark each minute of the scored week inside or outside their band and fire the
 * same way: after N minutes in a row outside (N = 5, the default), an episode lasting while they
 * stay outside, episodes less than 10 minutes apart merged (keep_firing_for 10m).
 *   - recall of a kind: labelled anomalies overlapped by an episode (from their start to 15 minutes
 *     after their end) ÷ labelled anomalies;
 *   - precision of a kind: episodes on the series of that kind that overlap one ÷ episodes there;
 *   - false alarms per series-week: episodes overlapping no labelled anomaly, over all 48 series.
 * Goal (issue): recall ≥ 0.9 on spikes, drops and level shifts at ≤ 1 false alarm per series-week.
 *
 * Knobs (environment): BENCH_SERIES_PER_TYPE (10), BENCH_CLEAN_SERIES (8), BENCH_SEED (16).
 */
import { judgeMinute, MINUTE_MS, type MinuteValues } from '../alerts/anomaly/anomaly-model';
import { DEFAULT_ANOMALY_PARAMS, type AnomalyParams } from '../alerts/anomaly/anomaly-params';
import { ANOMALY_TYPES, DEFAULT_DATA_SET, generateDataSet, MINUTES_PER_WEEK, SCORED_FROM, START_MS, WEEKS, type AnomalyType, type BenchSeries } from './anomaly-data';
import { runPrometheus, type HoltWintersQuery } from './anomaly-prometheus';

const N = DEFAULT_ANOMALY_PARAMS.consecutiveMinutes;
const MERGE_GAP_MINUTES = 10;
const GRACE_MINUTES = 15;
const SCORED_TO = WEEKS * MINUTES_PER_WEEK;

interface Episode {
  readonly start: number;
  readonly end: number;
}

/** The firing episodes of one series from its per-minute "outside" marks (index 0 = SCORED_FROM). */
export function episodesOf(outside: Uint8Array): Episode[] {
  const episodes: Episode[] = [];
  let run = 0;
  let current: { start: number; end: number } | undefined;
  for (let i = 0; i < outside.length; i++) {
    run = outside[i] ? run + 1 : 0;
    const firing = run >= N;
    if (firing) {
      const m = SCORED_FROM + i;
      if (current && m - current.end <= MERGE_GAP_MINUTES) current.end = m + 1;
      else {
        if (current) episodes.push(current);
        current = { start: m, end: m + 1 };
      }
    }
  }
  if (current) episodes.push(current);
  return episodes;
}

interface Score {
  readonly recall: Record<AnomalyType, [number, number]>;
  readonly precision: Record<AnomalyType, [number, number]>;
  readonly falseAlarms: number;
  readonly seriesWeeks: number;
}

function score(series: readonly BenchSeries[], episodes: ReadonlyMap<string, Episode[]>): Score {
  const zero = () => Object.fromEntries(ANOMALY_TYPES.map((t) => [t, [0, 0]])) as Record<AnomalyType, [number, number]>;
  const recall = zero();
  const precision = zero();
  let falseAlarms = 0;
  for (const s of series) {
    const eps = episodes.get(s.id) ?? [];
    const overlaps = (e: Episode, a: { start: number; end: number }) => e.start < a.end + GRACE_MINUTES && a.start < e.end;
    for (const a of s.anomalies) {
      recall[a.type][1]++;
      if (eps.some((e) => overlaps(e, a))) recall[a.type][0]++;
    }
    for (const e of eps) {
      const hit = s.anomalies.some((a) => overlaps(e, a));
      if (!hit) falseAlarms++;
      if (s.type) {
        precision[s.type][1]++;
        if (hit) precision[s.type][0]++;
      }
    }
  }
  return { recall, precision, falseAlarms, seriesWeeks: series.length };
}

/** Our model over the scored week: seasonal (4 past weeks) or, with `history` false, the fallback alone. */
function runModel(series: readonly BenchSeries[], params: AnomalyParams, history: boolean): Map<string, Episode[]> {
  const out = new Map<string, Episode[]>();
  for (const s of series) {
    const values: MinuteValues = {
      valueAt: (ms) => {
        const m = (ms - START_MS) / MINUTE_MS;
        return m >= 0 && m < s.values.length ? (s.values[m] as number) : null;
      },
      weekHasData: () => history,
    };
    const outside = new Uint8Array(SCORED_TO - SCORED_FROM);
    for (let m = SCORED_FROM; m < SCORED_TO; m++) outside[m - SCORED_FROM] = judgeMinute(values, START_MS + m * MINUTE_MS, params).side ? 1 : 0;
    out.set(s.id, episodesOf(outside));
  }
  return out;
}

function episodesFromScores(scores: ReadonlyMap<string, Float64Array>, z: number): Map<string, Episode[]> {
  const out = new Map<string, Episode[]>();
  for (const [id, values] of scores) {
    const outside = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) outside[i] = (values[i] as number) > z ? 1 : 0;
    out.set(id, episodesOf(outside));
  }
  return out;
}

const ratio = ([hit, all]: [number, number]) => (all === 0 ? '–' : `${(hit / all).toFixed(2)} (${hit}/${all})`);

function row(name: string, s: Score): string {
  const cells = ANOMALY_TYPES.map((t) => `${ratio(s.recall[t])} / ${ratio(s.precision[t])}`);
  return `| ${name} | ${cells.join(' | ')} | ${(s.falseAlarms / s.seriesWeeks).toFixed(2)} (${s.falseAlarms}/${s.seriesWeeks}) |`;
}

function goalMet(s: Score): boolean {
  const r = (t: AnomalyType) => s.recall[t][0] / s.recall[t][1];
  return r('spike') >= 0.9 && r('drop') >= 0.9 && r('level_shift') >= 0.9 && s.falseAlarms / s.seriesWeeks <= 1;
}

async function main(): Promise<void> {
  const options = {
    seriesPerType: Number(process.env.BENCH_SERIES_PER_TYPE ?? DEFAULT_DATA_SET.seriesPerType),
    cleanSeries: Number(process.env.BENCH_CLEAN_SERIES ?? DEFAULT_DATA_SET.cleanSeries),
    anomaliesPerSeries: DEFAULT_DATA_SET.anomaliesPerSeries,
    seed: Number(process.env.BENCH_SEED ?? DEFAULT_DATA_SET.seed),
  };
  let t = Date.now();
  const series = generateDataSet(options);
  const labelled = series.reduce((n, s) => n + s.anomalies.length, 0);
  process.stdout.write(`data: ${series.length} series × ${WEEKS} weeks of 1-minute values (seed ${options.seed}), ${labelled} labelled anomalies in the scored week; generated in ${Date.now() - t} ms\n`);

  const results: Array<[string, Score]> = [];
  const base: AnomalyParams = { ...DEFAULT_ANOMALY_PARAMS, absoluteFloor: 1 };
  for (const k of [2.5, 3, 4]) {
    t = Date.now();
    const name = `median/MAD seasonal, k=${k}, N=${N}${k === base.k ? ' (default)' : ''}`;
    results.push([name, score(series, runModel(series, { ...base, k }, true))]);
    process.stdout.write(`${name}: ${Date.now() - t} ms\n`);
  }
  t = Date.now();
  results.push([`rolling-quantile fallback only (no history), N=${N}`, score(series, runModel(series, base, false))]);
  process.stdout.write(`fallback: ${Date.now() - t} ms\n`);

  const queries: HoltWintersQuery[] = [
    { smoothing: 0.1, trend: 0.1, windowMinutes: 60, sigmaOffsetMinutes: 1 },
    { smoothing: 0.3, trend: 0.1, windowMinutes: 30, sigmaOffsetMinutes: 1 },
    { smoothing: 0.1, trend: 0.1, windowMinutes: 60, sigmaOffsetMinutes: 60 },
  ];
  t = Date.now();
  const runs = await runPrometheus(series, SCORED_FROM, SCORED_TO, queries);
  process.stdout.write(`prometheus: ${runs[0]?.version}; backfill ${runs[0]?.backfillMs} ms, queries ${runs.map((r) => r.queryMs).join(' + ')} ms, total ${Date.now() - t} ms\n`);
  runs.forEach((run, i) => {
    const q = queries[i] as HoltWintersQuery;
    let above = 0;
    let missing = 0;
    for (const values of run.scores.values()) {
      for (const v of values) {
        if (Number.isNaN(v)) missing++;
        else if (v > 3) above++;
      }
    }
    process.stdout.write(`  ${run.expr}: ${above} of ${series.length * (SCORED_TO - SCORED_FROM)} minutes score > 3, ${missing} without a value\n`);
    for (const z of [2, 3, 4]) {
      results.push([`Prometheus holt_winters(x[${q.windowMinutes}m] offset 1m, ${q.smoothing}, ${q.trend}), band ${z}·stddev_over_time(x[${q.windowMinutes}m] offset ${q.sigmaOffsetMinutes}m), N=${N}`, score(series, episodesFromScores(run.scores, z))]);
    }
  });

  process.stdout.write('\nrecall / precision per kind of anomaly, false alarms per series-week (scored week: 1 week × each series)\n\n');
  process.stdout.write(`| detector | ${ANOMALY_TYPES.join(' | ')} | false alarms / series-week |\n|---|${ANOMALY_TYPES.map(() => '---').join('|')}|---|\n`);
  for (const [name, s] of results) process.stdout.write(`${row(name, s)}\n`);
  const ours = results.find(([name]) => name.includes('(default)'))?.[1] as Score;
  process.stdout.write(`\ngoal (recall ≥ 0.9 on spikes, drops and level shifts at ≤ 1 false alarm per series-week), defaults: ${goalMet(ours) ? 'MET' : 'NOT MET'}\n`);
  const peersMeeting = results.filter(([name, s]) => name.startsWith('Prometheus') && goalMet(s)).map(([name]) => name);
  process.stdout.write(`Prometheus settings meeting it: ${peersMeeting.length === 0 ? 'none' : peersMeeting.join('; ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
