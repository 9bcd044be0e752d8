import { getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { createHeartbeat } from '../alerts/run/heartbeat';
import { createAlertRuntime } from '../alerts/run/runtime';
import type { AlertStore } from '../alerts/state/alert-store';
import { FirestoreAlertStore } from '../alerts/state/firestore-alert-store';
import { firebaseTokenVerifier, type TokenVerifier } from '../http/admin-auth';
import { activeAlertsFromStore } from '../health/alert-store-source';
import type { NamedProbe } from '../health/internal-health';
import type { ActiveAlertsSource } from '../health/live-signals';
import { createPushIngest, type PushedMessage } from '../ingest/function-handler';
import type { IngestSummary } from '../ingest/ingest-message';
import { systemClock, type Clock } from '../shared/clock';
import { loadConfig, type ObservabilityConfig } from '../shared/config';
import { describeError } from '../shared/describe-error';
import { redactingLogger, type Logger } from '../shared/logger';
import { redactorFor, type Redactor } from '../shared/redaction';
import { DeferredWarehouse } from '../sql/deferred-warehouse';
import { openOnce, openWarehouse } from '../sql/open-warehouse';
import type { Warehouse } from '../sql/warehouse';
import { healthProbes } from './health-probes';
import { createPipelineJobs, type PipelineJobs } from './jobs';
import { firebaseLogger } from './loggers';
import { once } from './once';
import { NO_PIPELINE_METRICS, type PipelineMetrics } from './pipeline-metrics';

/**
 * The production assembly: what one Cloud Functions instance shares, each part built on first use
 * and kept for the instance's life — the configuration (read once from the environment, where
 * firebase-functions also puts the bound secrets), the warehouse (opened once, on the first call
 * that needs data: {@link DeferredWarehouse}), firebase-admin's Firestore and Auth, the alert
 * store (Firestore), the health probes, the job runners and ingest. Nothing runs at module load, so
 * the deploy's discovery of index.ts does no I/O, and public health never opens the warehouse.
 */
export interface ProductionApp {
  config(): ObservabilityConfig;
  readonly clock: Clock;
  /** firebase-functions' logger, every line redacted. */
  logger(): Logger;
  redactor(): Redactor;
  /** An error's message for the logs, with every configured secret redacted. */
  describeError(error: unknown): string;
  warehouse(): Warehouse;
  /** Undefined only when an embedding (a test) has no Firestore: its probe is then `skipped` and alerts unknown. */
  firestore(): Firestore | undefined;
  verifier(): TokenVerifier;
  alerts(): ActiveAlertsSource | undefined;
  /** The components of GET /health/internal and of the dashboard's infrastructure cards (app/health-probes.ts). */
  probes(): readonly NamedProbe[];
  readonly jobs: PipelineJobs;
  /** The `ingest` function's body: one pushed Pub/Sub message. */
  ingest(message: PushedMessage): Promise<IngestSummary>;
}

export interface ProductionOptions {
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** firebase-admin's app; default: the default app, initialised from the Functions environment. */
  readonly app?: () => App;
  /** Default: the configured warehouse (OBS_WAREHOUSE), schema created, once per instance. */
  readonly openWarehouse?: (config: ObservabilityConfig) => Promise<Warehouse>;
  /** Default: firebase-admin's Firestore (the emulator's when FIRESTORE_EMULATOR_HOST is set). */
  readonly firestore?: () => Firestore | undefined;
  /** Default: Firestore's (the production alert store). */
  readonly alertStore?: () => AlertStore;
  /** Where unconfigured channels write (default .data/outbox.jsonl). */
  readonly outboxPath?: string;
  readonly logger?: Logger;
  /** Default {@link NO_PIPELINE_METRICS}. */
  readonly metrics?: PipelineMetrics;
}

export { once } from './once';

export function createProductionApp(options: ProductionOptions = {}): ProductionApp {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const config = once(() => loadConfig(options.env));
  const redactor = once(() => redactorFor(config()));
  const logger = once(() => {
    const base = options.logger ?? firebaseLogger;
    try {
      return redactingLogger(base, redactor());
    } catch {
      // The configuration itself is invalid (a ConfigError never carries a secret's value): the
      // error paths must still be able to log that.
      return base;
    }
  });
  const app = once(options.app ?? (() => getApps()[0] ?? initializeApp()));
  const open = openOnce(() => (options.openWarehouse ?? openWarehouse)(config()));
  const warehouse = once(() => new DeferredWarehouse(config().warehouse, open));
  const firestore = once(options.firestore ?? (() => getFirestore(app())));
  const verifier = once(() => firebaseTokenVerifier(getAuth(app())));
  const alertStore = once(options.alertStore ?? (() => new FirestoreAlertStore(getFirestore(app()))));
  const alerts = once(() => {
    if (options.alertStore) return activeAlertsFromStore(alertStore());
    const db = firestore();
    return db ? activeAlertsFromStore(new FirestoreAlertStore(db)) : undefined;
  });
  const probes = once(() => healthProbes({ config: config(), warehouse: warehouse(), pubsub: config(), firestore: firestore(), now }));
  const heartbeat = once(() => createHeartbeat({ url: config().heartbeatUrl, log: logger() }));
  const jobs = createPipelineJobs({
    warehouse: open,
    logger: {
      info: (m, f) => logger().info(m, f),
      warn: (m, f) => logger().warn(m, f),
      error: (m, f) => logger().error(m, f),
    },
    metrics: options.metrics ?? NO_PIPELINE_METRICS,
    alertRuntime: (wh, run) => {
      // A fresh runtime per run: its notifiers read the secrets bound to this invocation.
      const runtime = createAlertRuntime({ warehouse: wh, config: config(), store: alertStore(), clock, logger: logger(), redactor: redactor(), ...((run.outboxPath ?? options.outboxPath) ? { outboxPath: run.outboxPath ?? options.outboxPath } : {}) });
      return { runtime, release: () => runtime.close() };
    },
    // The dead man's switch (alerts/run/heartbeat.ts): pinged after each successful evaluation;
    // awaited so the function does not return before the ping is sent (it bounds its own time).
    afterAlertsSuccess: async () => {
      heartbeat().ping();
      await heartbeat().pending();
    },
  });
  const ingest = once(() => createPushIngest(open, { log: (level, message, fields) => logger()[level](message, fields) }));
  return {
    config,
    clock,
    logger,
    redactor,
    describeError: (error) => {
      try {
        return describeError(error, redactor());
      } catch {
        // The configuration itself is invalid: a ConfigError never carries a secret's value.
        return describeError(error);
      }
    },
    warehouse,
    firestore,
    verifier,
    alerts,
    probes,
    jobs,
    ingest: (message) => ingest()(message),
  };
}
