import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../../shared/clock';
import type { Logger } from '../../../../shared/logger';
import { evaluateAlerts, type EvaluationReport } from '../../../../alerts/run/evaluate-run';
import { createAlertRuntime, type BuiltRuntime, type RuntimeOptions } from '../../../../alerts/run/runtime';
import { loadConfig, type ObservabilityConfig } from '../../../../shared/config';
import { seriesKey } from '../../../../shared/series-key';
import { DuckDbWarehouse } from '../../../../sql/duckdb/duckdb-warehouse';
import { defineQuery } from '../../../../sql/dialect';
import { runAggregation, type AggregationResult } from '../../../../aggregator/aggregate';
import type { EventRow, Row } from '../../../../sql/warehouse';

export const MIN = 60_000;
/** 03:00 UTC — "at night" for the traffic-guard scenario; every test picks its times from here. */
export const T0 = Date.UTC(2026, 10, 26, 3, 0, 0);

/** A log that keeps every line, so tests can look for secrets in it. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info = (m: string, f?: Readonly<Record<string, unknown>>) => void this.lines.push(JSON.stringify({ level: 'info', m, ...f }));
  warn = (m: string, f?: Readonly<Record<string, unknown>>) => void this.lines.push(JSON.stringify({ level: 'warn', m, ...f }));
  error = (m: string, f?: Readonly<Record<string, unknown>>) => void this.lines.push(JSON.stringify({ level: 'error', m, ...f }));
}

/** One 1-minute rollup row of a count metric (what the aggregator writes to metric_rollups). */
export function countRollup(name: string, tags: Record<string, string>, windowStartMs: number, value: number): Row {
  return {
    name,
    series_key: seriesKey(tags),
    tags: JSON.stringify(tags),
    kind: 'count',
    window_start: windowStartMs,
    window_seconds: 60,
    event_count: value,
    value_sum: value,
    value_min: value > 0 ? 1 : 0,
    value_max: value > 0 ? 1 : 0,
    last_value: 1,
    last_ts: windowStartMs + 30_000,
    updated_at: windowStartMs + 60_000,
  };
}

/**
 * A warehouse (DuckDB in memory, schema created), a fake clock, a log that keeps its lines and an
 * outbox in a temporary folder: what every alert integration test starts from.
 */
export class AlertEnv {
  readonly clock = new FakeClock(T0);
  readonly logger = new MemoryLogger();
  readonly outboxPath: string;
  private readonly dir: string;
  private readonly runtimes: BuiltRuntime[] = [];

  private constructor(
    readonly warehouse: DuckDbWarehouse,
    readonly config: ObservabilityConfig,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'obs-alerts-'));
    this.outboxPath = join(this.dir, 'outbox.jsonl');
  }

  static async open(env: Record<string, string> = {}): Promise<AlertEnv> {
    const warehouse = await DuckDbWarehouse.open(':memory:');
    await warehouse.createSchema();
    return new AlertEnv(warehouse, loadConfig({ OBS_ENVIRONMENT: 'test', ...env }));
  }

  runtime(options: Partial<RuntimeOptions> = {}): BuiltRuntime {
    const runtime = createAlertRuntime({ warehouse: this.warehouse, config: this.config, clock: this.clock, logger: this.logger, outboxPath: this.outboxPath, ...options });
    this.runtimes.push(runtime);
    return runtime;
  }

  /** One evaluator run at `atMs` (the fake clock moves there first). */
  evaluate(atMs: number, runtime: BuiltRuntime = this.runtimes[0] ?? this.runtime()): Promise<EvaluationReport> {
    this.clock.set(atMs);
    return evaluateAlerts(runtime, atMs);
  }

  private eventSeq = 0;

  /**
   * Stores `perMinute` events of a count metric in every minute of [fromMs, toMs), spread over the
   * minute's first half and ingested as they happen — what ingest would have written. The
   * aggregator (`aggregate`) turns them into rollups.
   */
  async insertCountEvents(name: string, tags: Record<string, string>, fromMs: number, toMs: number, perMinute: number, every = 1): Promise<void> {
    const rows: EventRow[] = [];
    const key = seriesKey(tags);
    const json = JSON.stringify(tags);
    for (let minute = fromMs, n = 0; minute < toMs; minute += MIN, n++) {
      if (n % every !== 0) continue;
      for (let i = 0; i < perMinute; i++) {
        const ts = minute + Math.floor((i * 30_000) / perMinute);
        rows.push({ event_id: `e2e-${this.eventSeq++}`, name, kind: 'count', value: 1, event_ts_ms: ts, ingest_ts_ms: ts, series_key: key, tags: json, service: 'wallet', environment: 'test', message_id: null });
      }
    }
    for (let i = 0; i < rows.length; i += 50_000) await this.warehouse.insertEvents(rows.slice(i, i + 50_000));
  }

  /** The aggregator's pass as of `nowMs` (aggregator/aggregate.ts): rollups, then slo_status. */
  aggregate(nowMs: number): Promise<AggregationResult> {
    return runAggregation(this.warehouse, nowMs);
  }

  /** `perMinute` events of a count metric in every minute of [fromMs, toMs), written straight as 1-minute rollups. */
  async seedCounts(name: string, tags: Record<string, string>, fromMs: number, toMs: number, perMinute: number): Promise<void> {
    const rows: Row[] = [];
    for (let t = fromMs; t < toMs; t += MIN) rows.push(countRollup(name, tags, t, perMinute));
    await this.warehouse.upsert('metric_rollups', rows);
  }

  /** Every alert_log row, oldest first. */
  async alertLog(): Promise<Row[]> {
    return this.warehouse.query(
      defineQuery(
        'test_alert_log',
        `SELECT log_id, UNIX_MILLIS(logged_at) AS logged_at_ms, entry_type, fingerprint, rule_id, severity, from_state, to_state, channel, delivery_status, TO_JSON_STRING(detail) AS detail
FROM {{alert_log}} WHERE logged_at >= TIMESTAMP_MILLIS(0) ORDER BY logged_at, entry_type DESC, CASE delivery_status WHEN 'pending' THEN 0 ELSE 1 END, channel`,
      ),
    );
  }

  async close(): Promise<void> {
    for (const runtime of this.runtimes) runtime.close();
    await this.warehouse.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
