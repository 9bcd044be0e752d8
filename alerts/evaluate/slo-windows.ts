import type { SloStatus } from '../../aggregator/slo-status';
import { BURN_WINDOWS, type BurnWindow } from '../../shared/time-windows';

export const BURN_WINDOW_NAMES = Object.keys(BURN_WINDOWS) as BurnWindow[];

/** Total and bad events of an SLI in one lookback window ending now. */
export interface WindowCounts {
  readonly total: number;
  readonly bad: number;
}

export type SliWindowCounts = Readonly<Record<BurnWindow, WindowCounts>>;

/**
 * An SLO's counts per burn window, from the aggregator's SLO computation (aggregator/slo-job.ts:
 * good and total per lookback, ending at now rounded down to the minute, from the rollups tiled
 * by day/hour/minute; latency SLIs from histogram buckets by its conservative boundary rule).
 * The alert evaluator computes it for its own `now` rather than reading the last slo_status row,
 * so burn alerts are exact for `--at` and never older than the rollups.
 */
export function windowCountsOf(status: Pick<SloStatus, 'windows'>): SliWindowCounts {
  const out = {} as Record<BurnWindow, WindowCounts>;
  for (const w of BURN_WINDOW_NAMES) {
    const counts = status.windows[w] ?? { good: 0, total: 0 };
    out[w] = { total: counts.total, bad: Math.max(0, counts.total - counts.good) };
  }
  return out;
}

/** No events in any window. */
export function emptyWindowCounts(): SliWindowCounts {
  return windowCountsOf({ windows: {} });
}
