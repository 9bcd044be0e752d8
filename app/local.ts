import { createAlertRuntime, type RuntimeOptions } from '../alerts/run/runtime';
import { systemClock, type Clock } from '../shared/clock';
import { loadConfig, type ObservabilityConfig } from '../shared/config';
import { describeError } from '../shared/describe-error';
import { jsonLinesLogger, redactingLogger, type Logger } from '../shared/logger';
import { redactorFor, type Redactor } from '../shared/redaction';
import { lentWarehouse, openWarehouse as openConfigured } from '../sql/open-warehouse';
import type { Warehouse } from '../sql/warehouse';
import { exportersFromConfig } from '../exporters/from-config';
import type { Exporter } from '../exporters/types';
import { createPipelineJobs, type AlertRunOptions, type AlertRuntimeLease, type PipelineJobs } from './jobs';
import { NO_PIPELINE_METRICS, type PipelineMetrics } from './pipeline-metrics';
import type { MetricsClient } from '../emitter';

/**
 * The local assembly: the `obs` commands, and `obs start` (the local stack), which builds one
 * around the warehouse it holds and lends it to the commands it runs for other shells. Alert state
 * lives in the warehouse's tables here (production keeps it in Firestore: app/production.ts).
 */
export interface LocalApp {
  readonly config: ObservabilityConfig;
  readonly clock: Clock;
  /** Redacted; JSON lines on stderr unless the assembly says otherwise (the stack: readable lines). */
  readonly logger: Logger;
  readonly redactor: Redactor;
  describeError(error: unknown): string;
  /** The warehouse for one piece of work: opened for it and closed after, or the stack's, lent (its close() does nothing). */
  openWarehouse(): Promise<Warehouse>;
  withWarehouse<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T>;
  /** The alert pipeline for one run on `warehouse`: built for the run and closed after, or the stack's long-lived one. */
  alertRuntime(warehouse: Warehouse, options?: AlertRunOptions): AlertRuntimeLease;
  /** The job runners on `warehouse` (app/jobs.ts): what `obs aggregate`, `obs alerts evaluate` and the stack's scheduler run. */
  jobs(warehouse: Warehouse): PipelineJobs;
  /**
   * The pipeline's own metrics (app/pipeline-metrics.ts): the runners report to it, and ingest's
   * `onBatch` should too. The stack's records through its emitter; a one-off `obs` command's is
   * {@link NO_PIPELINE_METRICS} (run inside `obs start`, a command uses the stack's).
   */
  readonly metrics: PipelineMetrics;
  /**
   * The emitter of the process that holds this assembly, when it has one: the local stack's, whose
   * transport feeds its own ingest (`obs emit` run inside `obs start` sends through it). A one-off
   * command's assembly has none: `obs emit` builds its own from the environment.
   */
  readonly emitter?: MetricsClient;
  /** True when the warehouse is lent by the process that holds it (the stack's), false when each piece of work opens its own. */
  readonly lendsWarehouse: boolean;
}

export interface LocalAppOptions {
  /** Default: loadConfig() from the environment. */
  readonly config?: ObservabilityConfig;
  readonly clock?: Clock;
  /** Default: JSON lines on stderr (alert transitions of `obs alerts evaluate`, as before). */
  readonly logger?: Logger;
  /** The warehouse this process already holds (the local stack's): lent, never opened or closed here. */
  readonly warehouse?: Warehouse;
  /** Alert pipeline settings of this assembly (links, outbox, a long-lived runtime's logger). */
  readonly alerts?: Omit<RuntimeOptions, 'warehouse' | 'config' | 'clock' | 'logger' | 'redactor'>;
  /** One alert runtime for the assembly's life (the stack: its rate limiters and SMTP pool persist), closed by the stack. */
  readonly longLivedAlerts?: boolean;
  /** Default {@link NO_PIPELINE_METRICS}: the stack gives one recording through its emitter. */
  readonly metrics?: PipelineMetrics;
  /** After every successful alert evaluation (app/jobs.ts JobDeps.afterAlertsSuccess). */
  readonly afterAlertsSuccess?: () => void | Promise<void>;
  /** The stack's emitter ({@link LocalApp.emitter}); never shut down here. */
  readonly emitter?: MetricsClient;
  /** Default: the configured ones (OBSERVABILITY_PROVIDER / OBS_EXPORTERS, exporters/from-config.ts), built on the first export run. */
  readonly exporters?: readonly Exporter[];
}

export function createLocalApp(options: LocalAppOptions = {}): LocalApp & { close(): void } {
  const config = options.config ?? loadConfig();
  const clock = options.clock ?? systemClock;
  const redactor = redactorFor(config);
  const logger = redactingLogger(options.logger ?? jsonLinesLogger({ component: 'alerts' }), redactor);
  const lent = options.warehouse ? lentWarehouse(options.warehouse) : undefined;
  const openWarehouse = () => (lent ? Promise.resolve(lent) : openConfigured(config));
  const buildRuntime = (warehouse: Warehouse, run: AlertRunOptions = {}) => {
    const outboxPath = run.outboxPath ?? options.alerts?.outboxPath;
    return createAlertRuntime({ ...options.alerts, warehouse, config, clock, logger, redactor, ...(outboxPath ? { outboxPath } : {}) });
  };
  const metrics = options.metrics ?? NO_PIPELINE_METRICS;
  let shared: ReturnType<typeof buildRuntime> | undefined;
  let exporters: readonly Exporter[] | undefined = options.exporters;
  const alertRuntime = (warehouse: Warehouse, run: AlertRunOptions = {}): AlertRuntimeLease => {
    if (options.longLivedAlerts && run.outboxPath === undefined) {
      shared ??= buildRuntime(warehouse);
      return { runtime: shared, release: () => undefined };
    }
    const runtime = buildRuntime(warehouse, run);
    return { runtime, release: () => runtime.close() };
  };
  return {
    config,
    clock,
    logger,
    redactor,
    describeError: (error) => describeError(error, redactor),
    openWarehouse,
    async withWarehouse(work) {
      const warehouse = await openWarehouse();
      try {
        return await work(warehouse);
      } finally {
        await warehouse.close();
      }
    },
    alertRuntime,
    metrics,
    ...(options.emitter ? { emitter: options.emitter } : {}),
    lendsWarehouse: lent !== undefined,
    jobs: (warehouse) =>
      createPipelineJobs({
        warehouse: () => Promise.resolve(warehouse),
        alertRuntime,
        metrics,
        clock,
        redactor,
        retention: config.retention,
        exporters: () => (exporters ??= exportersFromConfig(config, { warehouse: () => Promise.resolve(warehouse), clock })),
        ...(options.afterAlertsSuccess ? { afterAlertsSuccess: options.afterAlertsSuccess } : {}),
      }),
    close() {
      shared?.close();
      for (const exporter of exporters ?? []) void exporter.close?.().catch(() => undefined);
    },
  };
}
