import { getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { createHeartbeat } from '../alerts/run/heartbeat';
import { createAlertRuntime } from '../alerts/run/runtime';
import type { AlertStore } from '../alerts/state/alert-store';
import { FirestoreAlertStore } from '../alerts/state/firestore-alert-store';
import { FirestoreTallyStore } from '../alerts/streaming/firestore-tally-store';
import { streamingPlan } from '../alerts/streaming/plan';
import { StreamingAlerts } from '../alerts/streaming/streaming-alerts';
import type { TallyStore } from '../alerts/streaming/tally-store';
import { FirestoreIncidentStore } from '../incidents/firestore-incident-store';
import type { IncidentStore } from '../incidents/incident-store';
import { WarehouseIncidentStore } from '../incidents/warehouse-incident-store';
import { firebaseTokenVerifier, type TokenVerifier } from '../http/admin-auth';
import { activeAlertsFromStore } from '../health/alert-store-source';
import type { NamedProbe } from '../health/internal-health';
import type { ActiveAlertsSource } from '../health/live-signals';
import { createEmitter } from '../emitter';
import { exportersFromConfig } from '../exporters/from-config';
import { createPushIngest, type PushedMessage } from '../ingest/function-handler';
import type { IngestSummary } from '../ingest/ingest-message';
import { systemClock, type Clock } from '../shared/clock';
import { loadConfig, type ObservabilityConfig } from '../shared/config';
import { activateSloCatalogue } from '../slo-as-code/activate';
import { describeError } from '../shared/describe-error';
import { redactingLogger, type Logger } from '../shared/logger';
import { redactorFor, type Redactor } from '../shared/redaction';
import { DeferredWarehouse } from '../sql/deferred-warehouse';
import { openOnce, openWarehouse } from '../sql/open-warehouse';
import type { Warehouse } from '../sql/warehouse';
import { healthProbes } from './health-probes';
import { createPipelineJobs, type AlertRunOptions, type PipelineJobs } from './jobs';
import { firebaseLogger } from './loggers';
import { once } from './once';
import { DEFAULT_FLUSH_DEADLINE_MS, emittingPipelineMetrics, NO_PIPELINE_METRICS, type EmittingPipelineMetrics, type PipelineMetrics } from './pipeline-metrics';

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
  /** Incidents (issue #16): Firestore, beside the alert store; the alert runs, the PagerDuty webhook and the dashboard share it. */
  incidents(): IncidentStore;
  /** The components of GET /health/internal and of the dashboard's infrastructure cards (app/health-probes.ts). */
  probes(): readonly NamedProbe[];
  /** The job runners; each scheduled run hands its self-metrics to Pub/Sub before it returns. */
  readonly jobs: PipelineJobs;
  /** The pipeline's own metrics (app/pipeline-metrics.ts), built on first use: see {@link ProductionOptions.metrics}. */
  metrics(): PipelineMetrics;
  /** The `ingest` function's body: one pushed Pub/Sub message. */
  ingest(message: PushedMessage): Promise<IngestSummary>;
  /** The streaming alerts this instance's ingest feeds (issue #15); undefined when OBS_STREAMING_ALERTS=off or there is no Firestore. */
  streaming(): StreamingAlerts | undefined;
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
  /** Default: Firestore's (the streaming alerts' shared tallies, alerts/streaming/firestore-tally-store.ts). */
  readonly tallyStore?: () => TallyStore;
  /** Default: Firestore's (incidents/firestore-incident-store.ts); the warehouse's when an embedding passes its own alertStore (no Firestore). */
  readonly incidentStore?: () => IncidentStore;
  /** Where unconfigured channels write (default .data/outbox.jsonl). */
  readonly outboxPath?: string;
  readonly logger?: Logger;
  /**
   * Default: by OBSERVABILITY_PROVIDER, the same setting as pack code's — `pubsub`: recorded
   * through an emitter of this instance that publishes to METRICS_TOPIC, so the functions'
   * self-metrics are ingested like any producer's; `none` (or an emitter that cannot be
   * configured): {@link NO_PIPELINE_METRICS}, nothing recorded. docs/OPERATIONS.md explains.
   */
  readonly metrics?: PipelineMetrics;
}

export { once } from './once';

export function createProductionApp(options: ProductionOptions = {}): ProductionApp {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const config = once(() => {
    const loaded = loadConfig(options.env);
    // OBS_SLO_FILE: the OpenSLO file merged with the built-in SLO catalogue (a bad file fails fast, naming every problem).
    activateSloCatalogue(options.env ?? process.env);
    return loaded;
  });
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
  const incidents = once(
    options.incidentStore ?? (() => (options.alertStore ? new WarehouseIncidentStore(warehouse(), redactor()) : new FirestoreIncidentStore(getFirestore(app()), undefined, redactor()))),
  );
  const probes = once(() => healthProbes({ config: config(), warehouse: warehouse(), pubsub: config(), firestore: firestore(), now }));
  const heartbeat = once(() => createHeartbeat({ url: config().heartbeatUrl, log: logger() }));
  const selfMetrics = once((): EmittingPipelineMetrics | undefined => {
    if (options.metrics || config().provider !== 'pubsub') return undefined;
    try {
      // No process hooks: the runners flush after each run; ingest's totals go out with the next batch or the report timer.
      return emittingPipelineMetrics(createEmitter({ transport: 'pubsub', env: options.env ?? process.env, handleProcessSignals: false, now }), { now });
    } catch (error) {
      logger().warn('the pipeline\'s own metrics are off: their emitter cannot be configured', { error: describeError(error) });
      return undefined;
    }
  });
  const metrics = once((): PipelineMetrics => options.metrics ?? selfMetrics() ?? NO_PIPELINE_METRICS);
  // Built on first use: nothing runs at module load (the deploy's discovery loads index.ts).
  const lazyMetrics: PipelineMetrics = {
    ingested: (batch) => metrics().ingested(batch),
    rollupsRan: (result) => metrics().rollupsRan(result),
    slosRan: (result) => metrics().slosRan(result),
    alertsRan: (report, durationMs) => metrics().alertsRan(report, durationMs),
    exportsRan: (result) => metrics().exportsRan?.(result),
    jobFailed: (job, durationMs, error) => metrics().jobFailed(job, durationMs, error),
  };
  // The exporters of OBSERVABILITY_PROVIDER / OBS_EXPORTERS, built on the first export run (their clients are kept for the instance).
  const exporters = once(() => exportersFromConfig(config(), { warehouse: open, clock }));
  // A scheduled function must not return with events in memory (its CPU is throttled after): each
  // run flushes the self-metrics it recorded, within DEFAULT_FLUSH_DEADLINE_MS.
  const flushed = <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(...args);
      } finally {
        await selfMetrics()?.flush(DEFAULT_FLUSH_DEADLINE_MS);
      }
    };
  const runners = createPipelineJobs({
    warehouse: open,
    logger: {
      info: (m, f) => logger().info(m, f),
      warn: (m, f) => logger().warn(m, f),
      error: (m, f) => logger().error(m, f),
    },
    metrics: lazyMetrics,
    exporters,
    clock,
    get retention() {
      return config().retention;
    },
    get redactor() {
      return redactor();
    },
    alertRuntime: (wh, run) => {
      // A fresh runtime per run: its notifiers read the secrets bound to this invocation.
      const runtime = createAlertRuntime({ warehouse: wh, config: config(), store: alertStore(), incidents: incidents(), clock, logger: logger(), redactor: redactor(), ...((run.outboxPath ?? options.outboxPath) ? { outboxPath: run.outboxPath ?? options.outboxPath } : {}) });
      return { runtime, release: () => runtime.close() };
    },
    // The dead man's switch (alerts/run/heartbeat.ts): pinged after each successful evaluation;
    // awaited so the function does not return before the ping is sent (it bounds its own time).
    afterAlertsSuccess: async () => {
      heartbeat().ping();
      await heartbeat().pending();
    },
  });
  const jobs: PipelineJobs = {
    runRollups: flushed((nowMs: number) => runners.runRollups(nowMs)),
    runSlos: flushed((nowMs: number) => runners.runSlos(nowMs)),
    runAggregation: flushed((nowMs: number) => runners.runAggregation(nowMs)),
    runAlerts: flushed((nowMs: number, run?: AlertRunOptions) => runners.runAlerts(nowMs, run)),
    runExports: flushed((nowMs: number) => runners.runExports(nowMs)),
    runRetention: flushed((nowMs: number) => runners.runRetention(nowMs)),
  };
  // Ingest does not flush per message: one Pub/Sub message of self-metrics per ingested message
  // would be ingested in turn and never stop. Its totals go out once per report interval instead.
  // The streaming alerts (issue #15): tallies in Firestore shared by every ingest instance, one
  // alert runtime per instance on the Firestore alert store (the scheduled evaluator's own).
  const streaming = once((): StreamingAlerts | undefined => {
    const db = firestore();
    if (!config().streamingAlerts || !db) return undefined;
    const runtime = once(() => createAlertRuntime({ warehouse: warehouse(), config: config(), store: alertStore(), incidents: incidents(), clock, logger: logger(), redactor: redactor(), ...(options.outboxPath ? { outboxPath: options.outboxPath } : {}) }));
    return new StreamingAlerts({
      plan: streamingPlan(runtime().rules),
      tallies: options.tallyStore?.() ?? new FirestoreTallyStore(db),
      warehouse: open,
      runtime,
      clock,
      logger: {
        info: (m, f) => logger().info(m, f),
        warn: (m, f) => logger().warn(m, f),
        error: (m, f) => logger().error(m, f),
      },
    });
  });
  const ingest = once(() =>
    createPushIngest(open, {
      now,
      log: (level, message, fields) => logger()[level](message, fields),
      onBatch: (batch) => lazyMetrics.ingested(batch),
      onStored: (messageId, events) => streaming()?.observe(messageId, events),
      settle: () => streaming()?.idle() ?? Promise.resolve(),
    }),
  );
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
    incidents,
    probes,
    jobs,
    metrics,
    ingest: (message) => ingest()(message),
    streaming,
  };
}
