import { getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { ALERTS_JOB, ROLLUP_JOB, SLO_JOB } from '../sql/job-state';
import { FirestoreAlertStore } from '../alerts/state/firestore-alert-store';
import { openIngestWarehouse, sharedWarehouse } from '../ingest/warehouse-factory';
import { firebaseTokenVerifier, type TokenVerifier } from '../health/admin-auth';
import { activeAlertsFromStore } from '../health/alert-store-source';
import { firestoreProbe, ingestLagProbe, jobFreshnessProbe, pubsubTopicProbe, warehouseHealthProbe } from '../health/component-probes';
import { channelsProbe, environmentProbe, type NamedProbe } from '../health/internal-health';
import type { ActiveAlertsSource } from '../health/live-signals';
import { loadConfig, redactSecrets, type ObservabilityConfig } from '../shared/config';
import type { Warehouse } from '../sql/warehouse';
import { DeferredWarehouse } from './deferred-warehouse';

/**
 * What the HTTP and callable functions of one Cloud Functions instance share, each built on first
 * use and kept for the instance's life: the configuration (read once from the environment, where
 * firebase-functions also puts the bound secrets), the warehouse (the factory ingest uses, opened
 * on the first query: {@link DeferredWarehouse}), firebase-admin's Firestore and Auth, and active
 * alerts from the production alert store (Firestore). Nothing runs at module load, so the deploy's
 * discovery of index.ts does no I/O, and public health never opens the warehouse.
 */
export interface FunctionInstance {
  config(): ObservabilityConfig;
  warehouse(): Warehouse;
  /** Undefined only when an embedding (a test) has no Firestore: its probe is then `skipped` and alerts unknown. */
  firestore(): Firestore | undefined;
  verifier(): TokenVerifier;
  alerts(): ActiveAlertsSource | undefined;
  /** The components of GET /health/internal and of the dashboard's infrastructure cards (docs/OPERATIONS.md). */
  probes(): readonly NamedProbe[];
  /** An error's message for the logs, with every configured secret redacted. */
  readonly describeError: (error: unknown) => string;
  readonly clock: () => number;
}

/** A value built on first call, then the same value. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

export interface InstanceOptions {
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: () => number;
  /** firebase-admin's app; default: the default app, initialised from the Functions environment. */
  readonly app?: () => App;
  /** Default: the configured warehouse (OBS_WAREHOUSE), schema created, once per instance. */
  readonly openWarehouse?: (config: ObservabilityConfig) => Promise<Warehouse>;
  /** Default: firebase-admin's Firestore (the emulator's when FIRESTORE_EMULATOR_HOST is set). */
  readonly firestore?: () => Firestore | undefined;
}

export function createFunctionInstance(options: InstanceOptions = {}): FunctionInstance {
  const clock = options.clock ?? Date.now;
  const config = once(() => loadConfig(options.env));
  const app = once(options.app ?? (() => getApps()[0] ?? initializeApp()));
  const openWarehouse = options.openWarehouse ?? openIngestWarehouse;
  const warehouse = once(() => new DeferredWarehouse(config().warehouse, sharedWarehouse(() => openWarehouse(config()))));
  const firestore = once(options.firestore ?? (() => getFirestore(app())));
  const verifier = once(() => firebaseTokenVerifier(getAuth(app())));
  const alerts = once(() => {
    const db = firestore();
    return db ? activeAlertsFromStore(new FirestoreAlertStore(db)) : undefined;
  });
  const probes = once((): NamedProbe[] => {
    const cfg = config();
    const wh = warehouse();
    return [
      { name: 'warehouse', probe: warehouseHealthProbe(wh) },
      { name: 'pubsub', probe: pubsubTopicProbe(cfg) },
      { name: 'firestore', probe: firestoreProbe(firestore(), clock) },
      { name: 'ingest_lag', probe: ingestLagProbe(wh, clock) },
      // The job names the scheduled functions write to job_state (sql/job-state.ts).
      { name: 'aggregator', probe: jobFreshnessProbe(wh, clock, (job) => job === ROLLUP_JOB || job === SLO_JOB, 'aggregator') },
      { name: 'alert_evaluator', probe: jobFreshnessProbe(wh, clock, (job) => job === ALERTS_JOB, 'alert evaluator') },
      { name: 'channels', probe: channelsProbe(cfg) },
      { name: 'environment', probe: environmentProbe(cfg) },
    ];
  });
  const describeError = (error: unknown): string => {
    const text = error instanceof Error ? error.message : String(error);
    try {
      const c = config();
      return redactSecrets(text, [c.internalHealthApiKey, c.slackOncallWebhook, c.slackSafetyWebhook, c.pagerdutyIntegrationKey, c.smtpUrl]);
    } catch {
      // The configuration itself is invalid: a ConfigError never carries a secret's value.
      return text;
    }
  };
  return { config, warehouse, firestore, verifier, alerts, probes, describeError, clock };
}
