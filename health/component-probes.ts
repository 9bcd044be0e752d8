import type { PubSub } from '@google-cloud/pubsub';
import type { Firestore } from 'firebase-admin/firestore';
import type { ObservabilityConfig } from '../shared';
import { jobRuns, newestIngest, warehouseProbe } from '../sql/queries/health';
import type { Warehouse } from '../sql/warehouse';
import { freshness, type Probe } from './probes';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * What the process saw of its own warehouse writes. A full disk leaves reads working, so a probe
 * query alone reports "ok" while every insert fails (issue 17, item 8): the writes must be asked.
 */
export interface WriteOutcomes {
  /** Failed writes since the last successful one (0 once a write succeeds again). */
  readonly failuresSinceSuccess: number;
  readonly lastFailure?: { readonly atMs: number; readonly reason: string };
  readonly lastSuccessMs?: number;
}

/** Writes that failed within this long make the warehouse `degraded` (or `error` while still failing). */
export const RECENT_WRITE_FAILURE_MS = 5 * MINUTE_MS;

/**
 * The warehouse answers a trivial query, and (given `writes`) its recent writes succeeded:
 * `error` while writes keep failing (the last failure is newer than the last success), `degraded`
 * when one failed within {@link RECENT_WRITE_FAILURE_MS} but writes work again, with the reason.
 */
export function warehouseHealthProbe(warehouse: Warehouse, writes?: () => WriteOutcomes, clock: () => number = Date.now, recentMs = RECENT_WRITE_FAILURE_MS): Probe {
  return async () => {
    const outcomes = writes?.();
    const failure = outcomes?.lastFailure;
    if (outcomes && failure && clock() - failure.atMs <= recentMs) {
      const ago = `${((clock() - failure.atMs) / 1000).toFixed(0)} s ago`;
      if (outcomes.failuresSinceSuccess > 0) {
        return { status: 'error', detail: `${warehouse.dialect} writes failing: ${outcomes.failuresSinceSuccess} failed since the last success, the latest ${ago}: ${failure.reason}` };
      }
      await warehouse.query(warehouseProbe);
      return { status: 'degraded', detail: `${warehouse.dialect} answers and writes again; a write failed ${ago}: ${failure.reason}` };
    }
    await warehouse.query(warehouseProbe);
    return { status: 'ok', detail: `${warehouse.dialect} answers` };
  };
}

/** Ingest lag: now minus the newest ingest time in the last day. */
export function ingestLagProbe(warehouse: Warehouse, clock: () => number, warnMs = 5 * MINUTE_MS, errorMs = 30 * MINUTE_MS): Probe {
  return async () => {
    const now = clock();
    const [row] = await warehouse.query<{ newest_ingest_ms: number | null }>(newestIngest, { since_ms: now - DAY_MS });
    const newest = row?.newest_ingest_ms ?? undefined;
    if (newest === undefined) return { status: 'degraded', detail: 'no event stored in the last 24 hours' };
    return freshness(Math.max(0, now - newest), warnMs, errorMs, 'last event stored');
  };
}

/**
 * Freshness of the scheduled jobs whose name `matches` (job_state.last_run_at). Jobs run every
 * minute: degraded after `warnMs`, error after `errorMs`. With several matching jobs the stalest counts.
 */
export function jobFreshnessProbe(
  warehouse: Warehouse,
  clock: () => number,
  matches: (job: string) => boolean,
  what: string,
  warnMs = 5 * MINUTE_MS,
  errorMs = 15 * MINUTE_MS,
): Probe {
  return async () => {
    const rows = await warehouse.query<{ job: string; last_run_ms: number | null }>(jobRuns);
    const runs = rows.filter((r) => matches(r.job));
    if (runs.length === 0) return { status: 'degraded', detail: `${what}: has never run` };
    const stalest = Math.min(...runs.map((r) => r.last_run_ms ?? 0));
    return freshness(Math.max(0, clock() - stalest), warnMs, errorMs, `${what} last ran`);
  };
}

/** The metrics topic exists (Pub/Sub or its emulator). Skipped when nothing publishes to Pub/Sub. */
export function pubsubTopicProbe(config: Pick<ObservabilityConfig, 'provider' | 'pubsubEmulatorHost' | 'projectId' | 'metricsTopic'>): Probe {
  let client: PubSub | undefined;
  return async () => {
    if (config.provider !== 'pubsub' && !config.pubsubEmulatorHost) {
      return { status: 'skipped', detail: 'OBSERVABILITY_PROVIDER=none and no emulator: events do not go through Pub/Sub' };
    }
    // Loaded on first use, so processes that never probe Pub/Sub never load its SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    client ??= new (require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub')).PubSub({
      ...(config.projectId ? { projectId: config.projectId } : {}),
      ...(config.pubsubEmulatorHost ? { apiEndpoint: config.pubsubEmulatorHost } : {}),
    });
    const [exists] = await client.topic(config.metricsTopic).exists();
    return exists ? { status: 'ok', detail: `topic ${config.metricsTopic} reachable` } : { status: 'error', detail: `topic ${config.metricsTopic} does not exist` };
  };
}

/** Firestore read/write probe on `_observability_health/probe`; skipped when Firestore is not configured. */
export function firestoreProbe(firestore: Firestore | undefined, clock: () => number): Probe {
  return async () => {
    if (!firestore) return { status: 'skipped', detail: 'Firestore not configured (set FIRESTORE_EMULATOR_HOST locally)' };
    const ref = firestore.collection('_observability_health').doc('probe');
    const token = `${clock()}-${Math.random().toString(36).slice(2)}`;
    await ref.set({ token, at: clock() });
    const snapshot = await ref.get();
    return snapshot.get('token') === token ? { status: 'ok', detail: 'read back what was written' } : { status: 'error', detail: 'read a different value than was written' };
  };
}
