import type { Firestore } from 'firebase-admin/firestore';
import { exportersProbe } from '../exporters/export-health';
import { firestoreProbe, ingestLagProbe, jobFreshnessProbe, pubsubTopicProbe, warehouseHealthProbe, type WriteOutcomes } from '../health/component-probes';
import { channelsProbe, environmentProbe, type NamedProbe } from '../health/internal-health';
import type { ObservabilityConfig } from '../shared/config';
import { ALERTS_JOB, ROLLUP_JOB, SLO_JOB } from '../sql/job-state';
import type { Warehouse } from '../sql/warehouse';

export interface ProbeDeps {
  readonly config: ObservabilityConfig;
  readonly warehouse: Warehouse;
  /** What this process saw of its own warehouse writes (the local stack watches them; a function instance does not). */
  readonly writes?: () => WriteOutcomes;
  /** The Pub/Sub the pipeline uses: the configuration's, or what the local stack actually runs. */
  readonly pubsub: Pick<ObservabilityConfig, 'provider' | 'pubsubEmulatorHost' | 'projectId' | 'metricsTopic'>;
  /** Undefined where there is no Firestore (the local stack): its component is then `skipped`. */
  readonly firestore: Firestore | undefined;
  readonly now: () => number;
}

/**
 * The components of GET /health/internal and of the dashboard's infrastructure cards, in their
 * order (docs/OPERATIONS.md): the one list, for the Cloud Functions and the local stack alike.
 */
export function healthProbes(deps: ProbeDeps): NamedProbe[] {
  const { config, warehouse, now } = deps;
  return [
    { name: 'warehouse', probe: warehouseHealthProbe(warehouse, deps.writes) },
    { name: 'pubsub', probe: pubsubTopicProbe(deps.pubsub) },
    { name: 'firestore', probe: firestoreProbe(deps.firestore, now) },
    { name: 'ingest_lag', probe: ingestLagProbe(warehouse, now) },
    // The job names the runners write to job_state (app/jobs.ts, sql/job-state.ts).
    { name: 'aggregator', probe: jobFreshnessProbe(warehouse, now, (job) => job === ROLLUP_JOB || job === SLO_JOB, 'aggregator') },
    { name: 'alert_evaluator', probe: jobFreshnessProbe(warehouse, now, (job) => job === ALERTS_JOB, 'alert evaluator') },
    // The exporter stage (exporters/): per exporter the newest minute sent, its lag and last error; skipped without exporters.
    { name: 'exporters', probe: exportersProbe(config.exporters, warehouse, now) },
    { name: 'channels', probe: channelsProbe(config) },
    { name: 'environment', probe: environmentProbe(config) },
  ];
}
