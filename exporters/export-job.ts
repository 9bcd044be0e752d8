import { floorTo, MINUTE_MS } from '../aggregator/rollup-plan';
import type { Clock } from '../shared/clock';
import { describeError } from '../shared/describe-error';
import type { Redactor } from '../shared/redaction';
import { readJobState, ROLLUP_JOB, writeJobState } from '../sql/job-state';
import type { Row, Warehouse } from '../sql/warehouse';
import { exportPoints } from './export-points';
import { readMinutes } from './read-minutes';
import { DEFAULT_RETRY_POLICY, sendWithRetry, type RetryPolicy } from './send-with-retry';
import type { ExportBatch, Exporter, ExporterName, MinuteSeries } from './types';

/**
 * The exporter stage (issue 14): forwards every CLOSED 1-minute rollup to each configured
 * provider, at least once, in order, with one cursor per exporter.
 *
 * ## Which minutes, and the cursor
 * - A minute [m, m+1 min) is closed once the rollup job's watermark (ingest time, sql/job-state.ts)
 *   has passed m + 1 min + `closeGraceMs`: events of the minute that reached ingest up to the grace
 *   late are in its rollup. Later arrivals still reach the warehouse (the rollups are recomputed,
 *   `obs rebuild` repairs), but a minute is exported once: providers take deltas, not corrections.
 * - Each exporter's cursor is its `job_state` row `export:<name>`: `watermark` = the start of the
 *   next minute to export. A run exports the closed minutes from the cursor on, oldest first, and
 *   writes the cursor after EACH minute whose batches all went out (sent, or dead-lettered). A run
 *   stopped part-way (crash, kill, a batch still failing after its retries) leaves the cursor on
 *   that minute, so the next run sends it again from its first batch: no minute is skipped, none
 *   is counted as exported twice; a batch that went out before the stop may be sent again (at
 *   least once, as the issue says). Before the first run the cursor starts `initialBackfillMs`
 *   before the newest closed minute (Datadog refuses points older than an hour).
 * - Batches: the minute's points in (name, series_key) order, cut every `maxPointsPerRequest`,
 *   one request each, at most `requestsPerSecond` per exporter. 429/5xx/network errors are retried
 *   (send-with-retry.ts); any other 4xx dead-letters the batch into `dead_letters` (scope
 *   `export`, reason code `export_<exporter>_<status>`, the payload) and the minute goes on.
 * - Exporters are independent: one provider down does not hold back the others.
 */
export interface ExportRunOptions {
  readonly nowMs: number;
  readonly clock: Clock;
  readonly closeGraceMs?: number;
  readonly initialBackfillMs?: number;
  /** Where a cursor that was never written starts (overrides initialBackfillMs): tests, a deliberate backfill. */
  readonly startAtMs?: number;
  /** At most this many minutes per exporter per run (a long outage catches up over several runs). */
  readonly maxMinutesPerRun?: number;
  readonly retry?: RetryPolicy;
  readonly redactor?: Redactor;
  /** Called after each minute's cursor is written (tests stop a run here). */
  readonly onMinuteExported?: (exporter: ExporterName, minuteMs: number) => void | Promise<void>;
}

export const EXPORT_DEFAULTS = { closeGraceMs: 60_000, initialBackfillMs: 10 * MINUTE_MS, maxMinutesPerRun: 60 } as const;

/** One exporter's part of a run, and what /health/internal and the dashboard show. */
export interface ExporterRunResult {
  readonly exporter: ExporterName;
  /** Minutes whose cursor this run advanced past. */
  readonly minutes: number;
  readonly points: number;
  readonly requests: number;
  readonly retries: number;
  readonly deadLettered: number;
  /** Start of the newest minute exported (this run or before); null before the first. */
  readonly lastMinuteMs: number | null;
  /** The next minute to export (the cursor). */
  readonly cursorMs: number;
  /** now − end of the newest exported minute; null before the first. */
  readonly lagMs: number | null;
  /** Minutes closed and not yet exported after this run. */
  readonly behindMinutes: number;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface ExportRunResult {
  readonly nowMs: number;
  /** End of the newest closed minute (exclusive). */
  readonly closedUptoMs: number;
  readonly exporters: readonly ExporterRunResult[];
  readonly durationMs: number;
}

export const exportJobName = (exporter: ExporterName): string => `export:${exporter}`;

/** What an exporter's job_state row holds in last_result. */
export interface ExporterState {
  readonly lastMinuteMs: number | null;
  readonly lastError: string | null;
  readonly lastErrorAtMs: number | null;
  readonly lastSuccessAtMs: number | null;
  readonly deadLettered: number;
}

/** Runs every exporter once as of `nowMs`. Never throws for an exporter's failure: it is in that exporter's result (`error`). */
export async function runExportJob(warehouse: Warehouse, exporters: readonly Exporter[], options: ExportRunOptions): Promise<ExportRunResult> {
  const started = performance.now();
  const grace = options.closeGraceMs ?? EXPORT_DEFAULTS.closeGraceMs;
  const rollups = await readJobState(warehouse, ROLLUP_JOB);
  const closedUptoMs = rollups.watermarkMs === null ? 0 : floorTo(rollups.watermarkMs - grace, MINUTE_MS);
  const results: ExporterRunResult[] = [];
  for (const exporter of exporters) results.push(await runOne(warehouse, exporter, closedUptoMs, options));
  return { nowMs: options.nowMs, closedUptoMs, exporters: results, durationMs: Math.round(performance.now() - started) };
}

async function runOne(warehouse: Warehouse, exporter: Exporter, closedUptoMs: number, options: ExportRunOptions): Promise<ExporterRunResult> {
  const started = performance.now();
  const job = exportJobName(exporter.name);
  const stored = await readJobState(warehouse, job);
  const previous = (stored.lastResult ?? {}) as Partial<ExporterState>;
  let state: ExporterState = {
    lastMinuteMs: previous.lastMinuteMs ?? null,
    lastError: previous.lastError ?? null,
    lastErrorAtMs: previous.lastErrorAtMs ?? null,
    lastSuccessAtMs: previous.lastSuccessAtMs ?? null,
    deadLettered: previous.deadLettered ?? 0,
  };
  let cursorMs = stored.watermarkMs ?? options.startAtMs ?? Math.max(0, closedUptoMs - (options.initialBackfillMs ?? EXPORT_DEFAULTS.initialBackfillMs));
  const maxMinutes = options.maxMinutesPerRun ?? EXPORT_DEFAULTS.maxMinutesPerRun;
  const untilMs = Math.min(closedUptoMs, cursorMs + maxMinutes * MINUTE_MS);
  const counts = { minutes: 0, points: 0, requests: 0, retries: 0, deadLettered: 0 };
  let error: string | null = null;
  const gapMs = 1000 / Math.max(0.001, exporter.requestsPerSecond);
  let lastRequestAt = -Infinity;
  const pace = async () => {
    const wait = lastRequestAt + gapMs - options.clock.now();
    if (wait > 0) await options.clock.sleep(wait);
    lastRequestAt = options.clock.now();
  };
  const save = (lastResult: ExporterState) => writeJobState(warehouse, job, { watermarkMs: cursorMs, lastRunMs: options.nowMs, lastResult });
  try {
    const minutes = untilMs > cursorMs ? await readMinutes(warehouse, cursorMs, untilMs) : new Map<number, MinuteSeries[]>();
    for (let minuteMs = cursorMs; minuteMs < untilMs; minuteMs += MINUTE_MS) {
      for (const batch of cutBatches(exporter, minuteMs, minutes.get(minuteMs) ?? [])) {
        await pace();
        const outcome = await sendWithRetry(exporter, batch, options.clock, options.retry ?? DEFAULT_RETRY_POLICY);
        counts.requests += outcome.attempts;
        counts.retries += outcome.attempts - 1;
        if (outcome.outcome === 'gave_up') {
          throw new Error(`${exporter.name}: minute ${new Date(minuteMs).toISOString()} batch ${batch.index} still failing after ${outcome.attempts} attempts: ${outcome.reason}`);
        }
        if (outcome.outcome === 'rejected') {
          counts.deadLettered++;
          state = { ...state, deadLettered: state.deadLettered + 1 };
          await warehouse.upsert('dead_letters', [deadLetterOf(exporter.name, batch, outcome.reason, outcome.status, options)]);
        }
        counts.points += batch.points.length || batch.series.length;
      }
      // The cursor moves only now, past a minute whose every batch went out.
      cursorMs = minuteMs + MINUTE_MS;
      counts.minutes++;
      state = { ...state, lastMinuteMs: minuteMs, lastError: null, lastSuccessAtMs: options.nowMs };
      await save(state);
      await options.onMinuteExported?.(exporter.name, minuteMs);
    }
    if (counts.minutes === 0 && stored.watermarkMs === null) await save(state); // the first run fixes where the cursor starts
  } catch (thrown) {
    error = describeError(thrown, options.redactor);
    state = { ...state, lastError: error, lastErrorAtMs: options.nowMs };
    try {
      await save(state);
    } catch {
      // The cursor of the minutes already done is written; only the error text is lost.
    }
  }
  return {
    exporter: exporter.name,
    ...counts,
    lastMinuteMs: state.lastMinuteMs,
    cursorMs,
    lagMs: state.lastMinuteMs === null ? null : Math.max(0, options.nowMs - (state.lastMinuteMs + MINUTE_MS)),
    behindMinutes: Math.max(0, Math.round((closedUptoMs - cursorMs) / MINUTE_MS)),
    error,
    durationMs: Math.round(performance.now() - started),
  };
}

function cutBatches(exporter: Exporter, minuteMs: number, series: readonly MinuteSeries[]): ExportBatch[] {
  if (exporter.perMinute) return [{ minuteMs, index: 0, points: [], series }];
  const points = exportPoints(series);
  const batches: ExportBatch[] = [];
  for (let i = 0; i < points.length; i += exporter.maxPointsPerRequest) {
    batches.push({ minuteMs, index: batches.length, points: points.slice(i, i + exporter.maxPointsPerRequest), series: [] });
  }
  return batches;
}

/** 100 kB of payload at most, as ingest's dead letters. */
const MAX_PAYLOAD_CHARS = 100_000;

/** A `dead_letters` row (scope `export`), written with an upsert so a batch dead-lettered again after a restart stays one row. */
function deadLetterOf(exporter: ExporterName, batch: ExportBatch, reason: string, status: number | undefined, options: ExportRunOptions): Row {
  const code = `export_${exporter}_${status ?? 'rejected'}`;
  const redact = (text: string) => (options.redactor ? options.redactor.redact(text) : text);
  const payload = JSON.stringify(batch.points.length > 0 ? batch.points : batch.series.map((s) => ({ name: s.name, series_key: s.seriesKey })));
  return {
    dead_letter_id: `export:${exporter}:${batch.minuteMs}:${batch.index}`,
    received_at: options.nowMs,
    scope: 'export',
    message_id: `export:${exporter}:${new Date(batch.minuteMs).toISOString()}`,
    event_index: batch.index,
    event_id: null,
    reason_codes: code,
    reasons: JSON.stringify([{ code, field: exporter, message: redact(reason) }]),
    raw_payload: redact(payload.slice(0, MAX_PAYLOAD_CHARS)),
    service: null,
  };
}
