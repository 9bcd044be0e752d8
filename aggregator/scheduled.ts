import { openIngestWarehouse, sharedWarehouse } from '../ingest/warehouse-factory';
import type { Warehouse } from '../sql/warehouse';
import { runRollupJob, type RollupRunResult } from './rollup-job';
import { runSloJob, type SloRunResult } from './slo-job';

/**
 * Framework-free handlers behind the scheduled Firebase functions (index.ts): each takes the
 * scheduler's event, uses its `scheduleTime` as "now" (so a retried run computes the same
 * windows as the first attempt), runs one job, logs one summary line and returns. A failure
 * throws, and Cloud Scheduler retries the run. The warehouse is opened once per instance.
 */
export interface ScheduledEventLike {
  readonly scheduleTime?: string;
}

export interface ScheduledDeps {
  readonly warehouse: () => Promise<Warehouse>;
  readonly log: (line: string) => void;
  /** Fallback "now" when the event has no usable scheduleTime (a manual run). */
  readonly clock: () => number;
}

export const DEFAULT_SCHEDULED_DEPS: ScheduledDeps = {
  // The configured warehouse (the factory ingest and alerts use), opened once per instance.
  warehouse: sharedWarehouse(() => openIngestWarehouse()),
  log: (line) => console.log(line),
  clock: () => Date.now(),
};

/** "now" of a scheduled run: the schedule time, or the clock for a manual run. */
export function scheduledNowMs(event: ScheduledEventLike, clock: () => number): number {
  const parsed = event.scheduleTime === undefined ? Number.NaN : Date.parse(event.scheduleTime);
  return Number.isFinite(parsed) ? parsed : clock();
}

export async function handleScheduledRollups(event: ScheduledEventLike, deps: ScheduledDeps = DEFAULT_SCHEDULED_DEPS): Promise<RollupRunResult> {
  const nowMs = scheduledNowMs(event, deps.clock);
  const result = await runRollupJob(await deps.warehouse(), { nowMs });
  deps.log(JSON.stringify({ message: 'rollups done', nowMs, newEvents: result.newEvents, changedMinutes: result.changedMinutes, spans: result.spans.length, watermarkMs: result.watermarkMs, durationMs: result.durationMs }));
  return result;
}

export async function handleScheduledSlos(event: ScheduledEventLike, deps: ScheduledDeps = DEFAULT_SCHEDULED_DEPS): Promise<SloRunResult> {
  const nowMs = scheduledNowMs(event, deps.clock);
  const result = await runSloJob(await deps.warehouse(), { nowMs, write: true });
  deps.log(JSON.stringify({ message: 'slo statuses written', nowMs, statuses: Object.fromEntries(result.statuses.map((s) => [s.sloId, s.status])), durationMs: result.durationMs }));
  return result;
}
