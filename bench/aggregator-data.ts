/**
 * Synthetic traffic for the aggregator benchmark: a fixed mix of series (the SLI metrics with
 * their tags, a few other counts and gauges), generated inside DuckDB with INSERT … SELECT from
 * range() — tens of millions of rows without crossing into JavaScript.
 */
import { defineQuery } from '../sql/dialect';
import type { DuckDbWarehouse } from '../sql/duckdb/duckdb-warehouse';
import type { EventRow } from '../sql/warehouse';
import { seriesKey } from '../shared/series-key';

interface SeriesTemplate {
  name: string;
  kind: 'count' | 'timing' | 'gauge';
  tags: Record<string, string>;
  /** DuckDB expression of the value; `u1`, `u2` are uniform randoms in (0, 1). */
  value: string;
}

const lognormal = (mu: number, sigma: number) => `exp(${mu} + ${sigma} * sqrt(-2 * ln(u1)) * cos(2 * pi() * u2))`;

function templates(): SeriesTemplate[] {
  const out: SeriesTemplate[] = [];
  for (const tier of ['core', 'secondary']) {
    for (const endpoint of ['/api/feed', '/api/wallet']) {
      for (const status_class of ['2xx', '4xx', '5xx']) {
        out.push({ name: 'infra.http.request.count', kind: 'count', tags: { tier, endpoint, status_class }, value: status_class === '5xx' ? 'CASE WHEN u1 < 0.02 THEN 1 ELSE 0 END' : '1' });
      }
      out.push({ name: 'infra.http.request.latency_ms', kind: 'timing', tags: { tier, endpoint }, value: lognormal(4.5, 0.6) });
    }
  }
  for (const feature of ['chat', 'gift']) {
    out.push({ name: 'product.wallet.spend.success', kind: 'count', tags: { feature }, value: '1' });
    out.push({ name: 'product.wallet.spend.failed', kind: 'count', tags: { feature, reason: 'declined' }, value: 'CASE WHEN u1 < 0.01 THEN 1 ELSE 0 END' });
  }
  for (const channel of ['dm', 'group']) out.push({ name: 'product.chat.delivery.latency_ms', kind: 'timing', tags: { channel }, value: lognormal(6, 1) });
  out.push({ name: 'product.chat.message.failed', kind: 'count', tags: { channel: 'dm', reason: 'offline' }, value: 'CASE WHEN u1 < 0.05 THEN 1 ELSE 0 END' });
  for (const call_type of ['audio', 'video']) {
    out.push({ name: 'product.call.connected.count', kind: 'count', tags: { call_type }, value: '1' });
    out.push({ name: 'product.call.failed.count', kind: 'count', tags: { call_type, reason: 'ice' }, value: 'CASE WHEN u1 < 0.1 THEN 1 ELSE 0 END' });
  }
  for (const companion_type of ['friend', 'coach']) {
    for (const model of ['small', 'large']) out.push({ name: 'product.ai.response.latency_ms', kind: 'timing', tags: { companion_type, model }, value: lognormal(7, 0.5) });
  }
  for (const queue of ['ingest', 'notify']) out.push({ name: 'infra.queue.depth', kind: 'gauge', tags: { queue }, value: 'floor(u1 * 1000)' });
  for (const fn of ['ingest', 'aggregate', 'alerts', 'health']) out.push({ name: 'infra.function.invocation.count', kind: 'count', tags: { function: fn, trigger: 'schedule' }, value: '1' });
  return out;
}

export const SERIES = templates();

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Inserts `count` events, event i at `startMs + i × spacingMs` (series i mod |SERIES|), ingested
 * 2 s after their event time, ids `<prefix><i>`.
 */
export async function insertBulkEvents(warehouse: DuckDbWarehouse, options: { count: number; startMs: number; spacingMs: number; prefix: string }): Promise<void> {
  const cases = (pick: (t: SeriesTemplate) => string) =>
    `CASE s ${SERIES.map((t, k) => `WHEN ${k} THEN ${pick(t)}`).join(' ')} END`;
  await warehouse.execute(
    defineQuery(
      'bench_bulk_events',
      `INSERT INTO metric_events (event_id, name, kind, value, event_ts, ingest_ts, series_key, tags, service, environment, message_id)
SELECT ${sqlString(options.prefix)} || CAST(i AS VARCHAR) AS event_id,
  ${cases((t) => sqlString(t.name))} AS name,
  ${cases((t) => sqlString(t.kind))} AS kind,
  ${cases((t) => t.value)} AS value,
  make_timestamp(CAST((${options.startMs} + i * ${options.spacingMs}) * 1000 AS BIGINT)) AS event_ts,
  make_timestamp(CAST((${options.startMs} + i * ${options.spacingMs} + 2000) * 1000 AS BIGINT)) AS ingest_ts,
  ${cases((t) => sqlString(seriesKey(t.tags)))} AS series_key,
  json(${cases((t) => sqlString(JSON.stringify(t.tags)))}) AS tags,
  'bench' AS service, 'bench' AS environment, NULL AS message_id
FROM (SELECT i, i % ${SERIES.length} AS s, random() AS u1, random() AS u2 FROM range(${options.count}) AS r(i)) AS g`,
    ),
  );
}

/** One minute of events as EventRows (the ingest path), event times in [minuteMs, minuteMs + 60 s). */
export function minuteOfEvents(minuteMs: number, perMinute: number, ingestMs: number, prefix: string): EventRow[] {
  const rows: EventRow[] = [];
  for (let i = 0; i < perMinute; i++) {
    const t = SERIES[i % SERIES.length] as SeriesTemplate;
    const value = t.kind === 'timing' ? Math.exp(5 + Math.random()) : t.kind === 'gauge' ? Math.floor(Math.random() * 1000) : 1;
    rows.push({
      event_id: `${prefix}${i}`,
      name: t.name,
      kind: t.kind,
      value,
      event_ts_ms: minuteMs + Math.floor((i * 60_000) / perMinute),
      ingest_ts_ms: ingestMs,
      series_key: seriesKey(t.tags),
      tags: JSON.stringify(t.tags),
      service: 'bench',
      environment: 'bench',
      message_id: null,
    });
  }
  return rows;
}
