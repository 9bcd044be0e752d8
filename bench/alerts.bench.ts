/**
 * `npm run bench -- alerts`: the performance target of issue #6 — evaluating 200 rules over
 * 10,000 series takes under a second.
 *
 * 200 threshold rules (sum, count, avg, max; a third with a tag filter, a third grouped by a tag)
 * over 20 count metrics × 500 series = 10,000 series of 1-minute rollups.
 *
 * 1. The pure core on an in-memory snapshot: rule evaluation, the lifecycle step, routing, muting
 *    and the dedup decision — what a run computes.
 * 2. A whole run through the warehouse (DuckDB file with 10 minutes of those rollups: 100,000
 *    rows): queries, evaluation, compare-and-set writes, ledger and delivery to the outbox.
 *    Steady state (the runs after the first, as every minute in production) and the first run
 *    (every firing instance written and notified) are reported apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../shared/clock';
import { dataNeeds, evaluateRules } from '../alerts/evaluate/evaluate-rules';
import { RuleDataSnapshot, type SeriesTotal } from '../alerts/evaluate/rule-data';
import { stepAll } from '../alerts/lifecycle/lifecycle';
import { silentLogger } from '../shared/logger';
import type { ThresholdAlertRule } from '../alerts/model/alert-rule';
import type { AlertInstance } from '../alerts/model/alert-instance';
import { inhibitor } from '../alerts/mute/inhibition';
import { decideNotifications } from '../alerts/notify/dedup-stage';
import { routeAlert } from '../alerts/routing/route-tree';
import { ROUTES } from '../alerts/routing/routes';
import { evaluateAlerts } from '../alerts/run/evaluate-run';
import { createAlertRuntime } from '../alerts/run/runtime';
import { SEVERITIES } from '../shared/incident-tiers';
import { loadConfig } from '../shared/config';
import { METRICS, METRIC_NAMES, type MetricName } from '../shared/metric-catalogue';
import { MODULE_IDS } from '../shared/modules';
import { seriesKey } from '../shared/series-key';
import { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import { defineQuery } from '../sql/dialect';

const METRIC_COUNT = 20;
const SERIES_PER_METRIC = 500;
const RULE_COUNT = 200;
const MINUTES = 10;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const RUNS = 9;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const metrics = METRIC_NAMES.filter((n) => METRICS[n].kind === 'count').slice(0, METRIC_COUNT);

/** Series i of a metric: 20 endpoints × 5 regions × 5 platforms = 500 tag sets. */
function tagsOf(i: number): Record<string, string> {
  return { endpoint: `/api/e${i % 20}`, region: `r${Math.floor(i / 20) % 5}`, platform: `p${Math.floor(i / 100) % 5}` };
}

/** A per-minute value: mostly small, a few series high, so some rules fire. */
const valueOf = (metric: number, series: number) => ((metric * 31 + series * 17) % 97 === 0 ? 40 : (series % 7) + 1);

function rules(): ThresholdAlertRule[] {
  const aggregations = ['sum', 'count', 'avg', 'max'] as const;
  return Array.from({ length: RULE_COUNT }, (_, i): ThresholdAlertRule => {
    const aggregation = aggregations[i % 4] as (typeof aggregations)[number];
    const threshold = { sum: 300, count: 9_000, avg: 30, max: 35 }[aggregation];
    return {
      kind: 'threshold',
      id: `bench-rule-${i}`,
      name: `Bench rule ${i}`,
      severity: SEVERITIES[i % 4] ?? 'P2',
      module: MODULE_IDS[i % MODULE_IDS.length] ?? 'infrastructure',
      metric: metrics[i % METRIC_COUNT] as MetricName,
      where: i % 3 === 1 ? { region: `r${i % 5}` } : {},
      aggregation,
      windowSeconds: MINUTES * 60,
      comparator: '>',
      threshold,
      forSeconds: i % 5 === 0 ? 300 : 0,
      keepFiringForSeconds: 300,
      groupBy: i % 3 === 2 ? ['endpoint'] : [],
      summary: 'Benchmark rule.',
      runbook: 'docs/OPERATIONS.md#runbook-bench',
    };
  });
}

function snapshot(): RuleDataSnapshot {
  const totals: SeriesTotal[] = [];
  metrics.forEach((name, m) => {
    for (let s = 0; s < SERIES_PER_METRIC; s++) {
      const v = valueOf(m, s);
      totals.push({ name, seriesKey: seriesKey(tagsOf(s)), eventCount: v * MINUTES, valueSum: v * MINUTES, valueMax: v });
    }
  });
  return new RuleDataSnapshot().setTotals(MINUTES * 60, totals);
}

function pureCore(): { ms: number[]; observations: number; firing: number } {
  const ruleSet = rules();
  let observations = 0;
  let firing = 0;
  const ms: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const data = snapshot(); // a fresh snapshot each run: tags are parsed again, as in production
    const t = performance.now();
    const obs = evaluateRules(ruleSet, data);
    const { writes } = stepAll(ruleSet, [], obs, NOW, 'bench');
    const instances: AlertInstance[] = writes.map((w) => ({ ...w.next, version: 1 }));
    const active = instances.filter((i) => i.state === 'firing');
    const muter = inhibitor(active);
    const { due } = decideNotifications({ instances, routeOf: (i) => routeAlert(ROUTES, i.labels), muter, ledger: [], nowMs: NOW });
    ms.push(performance.now() - t);
    observations = obs.length;
    firing = active.length;
    if (due.length === 0 && firing > 0) throw new Error('expected notifications');
  }
  return { ms, observations, firing };
}

async function throughWarehouse(): Promise<{ first: number; steady: number[]; rows: number; transitions: number; deliveries: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-alerts-bench-'));
  const warehouse = await DuckDbWarehouse.open(join(dir, 'bench.duckdb'));
  try {
    await warehouse.createSchema();
    // Generated inside DuckDB (the same tags and values as tagsOf/valueOf): seconds, not minutes.
    const names = metrics.map((name, m) => `(${m}, '${name}')`).join(', ');
    const value = `CASE WHEN (mt.m * 31 + s.range * 17) % 97 = 0 THEN 40 ELSE (s.range % 7) + 1 END`;
    const t0 = performance.now();
    await warehouse.execute(
      defineQuery(
        'bench_seed_rollups',
        `INSERT INTO {{metric_rollups}} (name, series_key, tags, kind, window_start, window_seconds, event_count, value_sum, value_min, value_max, last_value, last_ts, updated_at)
SELECT mt.name,
  'endpoint=/api/e' || (s.range % 20) || ',platform=p' || ((s.range // 100) % 5) || ',region=r' || ((s.range // 20) % 5),
  json_object('endpoint', '/api/e' || (s.range % 20), 'region', 'r' || ((s.range // 20) % 5), 'platform', 'p' || ((s.range // 100) % 5)),
  'count', make_timestamp((@now_ms - mi.range * 60000) * 1000), 60, ${value}, ${value}, 1, ${value}, ${value},
  make_timestamp((@now_ms - mi.range * 60000) * 1000), make_timestamp(@now_ms * 1000)
FROM (VALUES ${names}) AS mt(m, name), range(${SERIES_PER_METRIC}) AS s, range(1, ${MINUTES + 1}) AS mi`,
      ),
      { now_ms: NOW },
    );
    const [count] = await warehouse.query(defineQuery('bench_count', 'SELECT COUNT(*) AS n FROM {{metric_rollups}}'));
    const rows = { length: Number(count?.n) };
    process.stdout.write(`  seeded ${rows.length.toLocaleString('en')} rollup rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    // Cross-check one series against the TypeScript definition of the data.
    const [probe] = await warehouse.query(defineQuery('bench_probe', `SELECT SUM(value_sum) AS v FROM {{metric_rollups}} WHERE name = @name AND series_key = @key`), { name: metrics[3] as string, key: seriesKey(tagsOf(123)) });
    if (Number(probe?.v) !== valueOf(3, 123) * MINUTES) throw new Error('generated rollups differ from tagsOf/valueOf');

    const runtime = createAlertRuntime({ warehouse, config: loadConfig({}), rules: rules(), clock: new FakeClock(NOW), logger: silentLogger, outboxPath: join(dir, 'outbox.jsonl') });
    if (dataNeeds(runtime.rules).length !== 1) throw new Error('expected one query for the whole rule set');
    let t = performance.now();
    const first = await evaluateAlerts(runtime, NOW);
    const firstMs = performance.now() - t;
    const steady: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      t = performance.now();
      await evaluateAlerts(runtime, NOW + run * 1_000); // same minute: the data does not change
      steady.push(performance.now() - t);
    }
    runtime.close();
    return { first: firstMs, steady, rows: rows.length, transitions: first.transitions.length, deliveries: first.deliveries.length };
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(`${RULE_COUNT} rules over ${METRIC_COUNT * SERIES_PER_METRIC} series (${METRIC_COUNT} metrics × ${SERIES_PER_METRIC}), median of ${RUNS} runs\n\n`);
  const core = pureCore();
  const coreMs = median(core.ms);
  process.stdout.write(`1. pure core (evaluate + lifecycle + route + mute + dedup): ${coreMs.toFixed(1)} ms median  (${core.observations} instances, ${core.firing} firing)\n`);
  const wh = await throughWarehouse();
  const steadyMs = median(wh.steady);
  process.stdout.write(`2. whole run through DuckDB (${wh.rows.toLocaleString('en')} rollup rows): steady state ${steadyMs.toFixed(1)} ms median; first run ${wh.first.toFixed(1)} ms (${wh.transitions} transitions written, ${wh.deliveries} messages to the outbox)\n\n`);
  const target = 1_000;
  const verdict = (ms: number) => (ms < target ? 'meets' : 'MISSES');
  process.stdout.write(`target < ${target} ms: pure core ${verdict(coreMs)}; whole run, steady state ${verdict(steadyMs)}; whole run, first ${verdict(wh.first)}\n`);
  if (coreMs >= target || steadyMs >= target) process.exitCode = 1;
}

void main();
