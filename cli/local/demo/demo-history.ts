import { numberOf, numberOrNull } from '../../../sql/row-values';
import { sourceHistory } from '../../../sql/queries/demo-history';
import type { Warehouse } from '../../../sql/warehouse';

const DAY_MS = 86_400_000;

/**
 * What the demo backfills before live traffic starts. A second `obs start` on the same file must
 * continue the history it finds rather than backfill the days again (issue 12: 78,745 → 170,294
 * events and a false support-ticket P2): the demo's events (service `demo`) already in the
 * warehouse decide.
 */
export interface HistoryPlan {
  /** The span to backfill, or undefined when the existing history already reaches `liveFromMs`. */
  readonly backfill: { readonly fromMs: number; readonly toMs: number } | undefined;
  /** Live traffic is generated from here on (the end of the history: backfilled or found). */
  readonly trafficFromMs: number;
  /** The demo events found in the window (0: a fresh history). */
  readonly existingEvents: number;
  /** The newest demo event found, if any. */
  readonly latestMs: number | undefined;
  /** One line for the log. */
  readonly describe: string;
}

/**
 * Plans the history of `days` days ending at `liveFromMs` (demo time when live traffic starts):
 * all of it when the warehouse holds no demo events of that span; only the gap after the newest
 * one otherwise; nothing when they reach `liveFromMs` (a restart within the replay's lead: live
 * traffic then resumes after the newest event, so no minute is generated twice).
 */
export async function planDemoHistory(warehouse: Warehouse, options: { liveFromMs: number; days: number; service?: string }): Promise<HistoryPlan> {
  const fromMs = options.liveFromMs - options.days * DAY_MS;
  const [row] = await warehouse.query(sourceHistory, { since_ms: fromMs, until_ms: options.liveFromMs + DAY_MS, service: options.service ?? 'demo' });
  const existingEvents = numberOf(row?.events ?? 0);
  const latest = numberOrNull(row?.latest_ms ?? null);
  if (latest === null || existingEvents === 0) {
    return { backfill: { fromMs, toMs: options.liveFromMs }, trafficFromMs: options.liveFromMs, existingEvents: 0, latestMs: undefined, describe: `backfilling ${options.days} days of history…` };
  }
  const found = `continuing the existing demo history (${existingEvents.toLocaleString('en-US')} events, the newest at ${new Date(latest).toISOString()})`;
  if (latest + 1 >= options.liveFromMs) {
    return { backfill: undefined, trafficFromMs: latest + 1, existingEvents, latestMs: latest, describe: `${found}; live traffic resumes after it` };
  }
  const gapMinutes = Math.round((options.liveFromMs - latest) / 60_000);
  return {
    backfill: { fromMs: latest + 1, toMs: options.liveFromMs },
    trafficFromMs: options.liveFromMs,
    existingEvents,
    latestMs: latest,
    describe: `${found}; backfilling the ${gapMinutes >= 120 ? `${Math.round(gapMinutes / 60)} hours` : `${gapMinutes} minutes`} since…`,
  };
}
