import type { Server } from 'node:http';
import { runRebuild } from '../../aggregator/rebuild';
import { runSloJob } from '../../aggregator/slo-job';
import { healthProbes } from '../../app/health-probes';
import { createLocalApp, type LocalApp } from '../../app/local';
import { emittingPipelineMetrics, NO_PIPELINE_METRICS, type PipelineMetrics } from '../../app/pipeline-metrics';
import type { EvaluationReport } from '../../alerts/run/evaluate-run';
import { createHeartbeat } from '../../alerts/run/heartbeat';
import { deliveryLine, INSTANT_UNIT, transitionText } from '../../alerts/notifiers/message-format';
import { isForecastRuleId } from '../../alerts/rules/forecast-rules';
import { loadDashboard, type DashboardSources } from '../../dashboard/dashboard-data';
import { localTokenVerifier } from '../../http/admin-auth';
import { activeAlertsFromStore } from '../../health/alert-store-source';
import { loadCardinalityLimiter } from '../../ingest/cardinality-seed';
import { IngestHandler } from '../../ingest/ingest-handler';
import { streamingPlan } from '../../alerts/streaming/plan';
import { StreamingAlerts } from '../../alerts/streaming/streaming-alerts';
import { MemoryTallyStore } from '../../alerts/streaming/tally-store';
import { watchWrites } from '../../ingest/warehouse-write-outcomes';
import { json } from '../../http/http';
import { openWarehouse } from '../../sql/open-warehouse';
import { DuckDbWarehouse } from '../../sql/duckdb/duckdb-warehouse';
import type { ObservabilityConfig } from '../../shared';
import type { Clock } from '../../shared/clock';
import type { Warehouse } from '../../sql/warehouse';
import type { CommandIo } from '../command';
import { allocatorLine } from './allocator';
import { createDemoClock, realClock, type DemoClock } from './demo/demo-clock';
import { planDemoHistory } from './demo/demo-history';
import { DemoTraffic } from './demo/demo-traffic';
import { DEMO_INCIDENT } from './demo/traffic-profile';
import { createHttpRoutes } from './http-app';
import { createHttpServer, listen, type Route } from './http-server';
import { createRemoteCliRoute } from './remote-cli';
import { createIncidentsRoute } from '../../incidents/incidents-route';
import { createPagerDutyWebhookRoute } from '../../incidents/pagerduty-webhook';
import { WarehouseIncidentStore } from '../../incidents/warehouse-incident-store';
import { storePublicIncidents } from '../../incidents/public-incidents';
import { storeMaintenanceSource } from '../../maintenance/store-source';
import { WarehouseMaintenanceStore } from '../../maintenance/warehouse-maintenance-store';
import { findRunningStack, removeStackFile, stackFilePath, writeStackFile } from './stack-file';
import { loadStackKeys } from './stack-keys';
import { rateLimitedLog } from './stack-log';
import { openStackTransport, type StackTransport } from './stack-transport';

const DAY_MS = 86_400_000;
/**
 * The WAL is folded into the file once it passes this (OBS_DUCKDB_WAL_MAX_MB), checked after each
 * tick and every 15 s. Rows appended since the last checkpoint stay in DuckDB's memory, so this
 * also bounds memory: measured with bench/soak.bench.ts at 2,000 events/s, DuckDB held ~50 MB of
 * them at 16 MB of WAL, and ~100 MB at 45 MB of WAL (the WAL grows ~15 MB a minute there).
 */
const DEFAULT_WAL_MAX_MB = 16;
const WAL_CHECK_INTERVAL_MS = 15_000;
/** The demo replays the last 30 minutes at 8× (about 4.3 real minutes), then runs live. */
export const DEMO_CLOCK = { leadMs: 30 * 60_000, speed: 8 } as const;

export interface StackOptions {
  config: ObservabilityConfig;
  demo: boolean;
  /** Runs an `obs` command inside this process (POST /api/cli), against the stack's assembly `app` (its warehouse, lent). */
  runCommand: (args: string[], io: CommandIo, app: LocalApp) => Promise<number>;
  /** Lines for people: the banner, transitions, deliveries. */
  log: (line: string) => void;
  /** The one-line progress display. */
  progress: (line: string) => void;
  /** Use the Pub/Sub emulator when it is installed (default true). */
  useEmulator?: boolean;
  /** Scheduler period; default 5 s in demo mode, 60 s otherwise; 0: no scheduler, the caller drives tick() (tests). */
  schedulerIntervalMs?: number;
  /** Tests drive time by hand: this clock instead of the demo clock or the real one. */
  clock?: Clock;
  /** Tests inject warehouse faults here: wraps the opened warehouse before anything (ingest, jobs, alerts) uses it. */
  wrapWarehouse?: (warehouse: Warehouse) => Warehouse;
  /** Days of history the demo backfills (default 30). */
  backfillDays?: number;
  /** The demo clock (default {@link DEMO_CLOCK}); tests run it faster, and may give it their own real time (`realNow`). */
  demoClock?: { leadMs: number; speed: number; realNow?: () => number };
  /** Called after each backfilled hour of demo history (tests slow the backfill down here). */
  onBackfillHour?: () => void | Promise<void>;
  /** Where unconfigured channels write (default .data/outbox.jsonl). */
  outboxPath?: string;
  /** How often demo traffic is generated, real ms (default 1 s). */
  trafficIntervalMs?: number;
  /** How often the subscriber checks its topic and subscription still exist (default 5 s). */
  subscriptionCheckIntervalMs?: number;
  /** The stack emitter's aggregation (default `series`); the soak benchmark uses `none` to store every call as an event. */
  emitterAggregation?: 'series' | 'none';
}

export interface RunningStack {
  readonly url: string;
  readonly token: string;
  readonly transport: StackTransport['kind'];
  /** The stack's assembly (app/local.ts): its clock, warehouse (lent), alert runtime and job runners. */
  readonly app: LocalApp;
  /** The stack's own emitter (demo traffic; the soak benchmark publishes through it). */
  readonly emitter: StackTransport['emitter'];
  /** Events stored, duplicates and dead letters so far. */
  ingested(): ReturnType<StackTransport['ingested']>;
  /** Runs one aggregation + alert evaluation now (tests; the scheduler does this on its own). */
  tick(): Promise<void>;
  /** Emulator restarts the stack recovered from, with the gap each left (tests, soak). */
  gaps(): ReturnType<StackTransport['recoveries']>;
  /** Bytes in DuckDB's write-ahead log now. */
  walBytes(): number;
  /** The streaming alerts' counters (issue #15); undefined when OBS_STREAMING_ALERTS=off. */
  streaming(): StreamingAlerts['stats'] | undefined;
  /** Resolves when the streaming path has tallied and evaluated everything ingested so far (tests, bench). */
  streamingIdle(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the local pipeline. See docs/OPERATIONS.md ("The local stack"). */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, log } = options;
  const demoClock = options.demoClock ?? DEMO_CLOCK;
  const clock: DemoClock = options.clock ? manualClock(options.clock) : options.demo ? createDemoClock(demoClock) : realClock;
  const other = findRunningStack(config.duckdbPath);
  if (other) throw new Error(`another obs start (pid ${other.pid}) already holds ${config.duckdbPath}; stop it or set OBS_DUCKDB_PATH`);

  // The port first: a stack that cannot serve it must not take the DuckDB lock, subscribe and ack
  // messages into a database nothing serves (issue 17, item 6). Requests wait for the routes below.
  let serve: Route = () => json(503, { error: 'the local stack is starting' });
  const server: Server = createHttpServer([(request) => serve(request)], (error) => log(`http: ${error instanceof Error ? error.message : String(error)}`));
  const port = await listen(server, config.port).catch((error: NodeJS.ErrnoException) => {
    const why = error.code === 'EADDRINUSE' ? `port ${config.port} is in use: stop what holds it, or set PORT to another port` : `cannot listen on port ${config.port}: ${error.message}`;
    throw new Error(why, { cause: error });
  });
  // From here, everything opened is released again if a later step fails.
  const undo: Array<() => Promise<unknown> | void> = [
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeIdleConnections();
      }),
  ];
  const releaseAll = async () => {
    for (const step of undo.splice(0).reverse()) await Promise.resolve().then(step).catch((error: unknown) => log(`  shutdown: ${error instanceof Error ? error.message : String(error)}`));
  };
  try {
    return await assemble();
  } catch (error) {
    await releaseAll();
    throw error;
  }

  async function assemble(): Promise<RunningStack> {
    const opened: Warehouse = await openWarehouse({ ...config, warehouse: 'duckdb' });
    undo.push(() => opened.close());
    const duckdb = opened instanceof DuckDbWarehouse ? opened : undefined;
    const watched = watchWrites(options.wrapWarehouse ? options.wrapWarehouse(opened) : opened);
    const warehouse: Warehouse = watched.warehouse;
    // The internal key is kept beside the DuckDB file, the same on every start; the token is per start (stack-keys.ts).
    const keys = loadStackKeys(config.duckdbPath, { internalHealthApiKey: config.internalHealthApiKey, adminToken: process.env.OBS_LOCAL_ADMIN_TOKEN });
    const { adminToken: token, internalKey } = keys;
    const stackConfig: ObservabilityConfig = { ...config, warehouse: 'duckdb', internalHealthApiKey: internalKey };

    // Ingest and subscriber errors carry the message id and the cause; repeats are folded (stack-log.ts).
    const ingestLog = rateLimitedLog((line) => log(`  ingest ${line}`));
    undo.push(() => ingestLog.close());
    const cardinality = await loadCardinalityLimiter(warehouse, clock.now(), { maxSeriesPerMetricPerDay: config.maxSeriesPerMetricPerDay, warn: log });
    let selfMetrics: PipelineMetrics = NO_PIPELINE_METRICS; // set once the emitter exists, below
    // The streaming alerts (issue #15) need the alert runtime, built below; until then nothing is observed.
    let streaming: StreamingAlerts | undefined;
    /** The firing alerts the progress line shows, from the last evaluation of either path. */
    let firing: string[] = [];
    /** Prints an evaluation's transitions and deliveries (`marker`: which path) and keeps its firing alerts for the progress line. */
    const onReport = (report: Pick<EvaluationReport, 'transitions' | 'deliveries' | 'firing'>, marker = '') => {
      for (const t of report.transitions) log(`  alert ${t.fingerprint}: ${transitionText(t, isForecastRuleId(t.ruleId) ? INSTANT_UNIT : '')}${marker}`);
      for (const d of report.deliveries) log(`  notification ${deliveryLine(d)}`);
      firing = report.firing.map((f) => `${f.severity} ${f.fingerprint.split('|')[0] ?? f.fingerprint}`);
    };
    undo.push(() => streaming?.stop());
    const handler = new IngestHandler({
      warehouse,
      now: () => clock.now(),
      log: ingestLog.log,
      cardinality,
      onBatch: (batch) => selfMetrics.ingested(batch),
      onStored: (messageId, events) => streaming?.observe(messageId, events),
    });
    const transport = await openStackTransport({
      handler,
      topic: config.metricsTopic,
      projectId: config.projectId ?? 'obs-local',
      emulatorHost: config.pubsubEmulatorHost,
      useEmulator: options.useEmulator ?? true,
      now: () => clock.now(),
      service: options.demo ? 'demo' : 'local',
      log: ingestLog.log,
      report: log,
      ...(options.subscriptionCheckIntervalMs === undefined ? {} : { checkIntervalMs: options.subscriptionCheckIntervalMs }),
      ...(options.emitterAggregation === undefined ? {} : { aggregation: options.emitterAggregation }),
    });
    undo.push(() => transport.close());
    // The pipeline's own metrics (app/pipeline-metrics.ts) go out through the stack's emitter and
    // come back through this ingest; closed (its last totals handed over) before the emitter shuts down.
    const pipelineMetrics = emittingPipelineMetrics(transport.emitter);
    selfMetrics = pipelineMetrics;
    undo.push(() => pipelineMetrics.close());
    // The stack's assembly: its clock, the warehouse it holds (lent to the commands it runs for
    // other shells: DuckDB allows one writer per file), one alert runtime for its life.
    const alertLines = (m: string) => log(`alerts: ${m}`);
    const heartbeat = createHeartbeat({ url: config.heartbeatUrl, log: { info: () => undefined, warn: alertLines, error: alertLines } });
    const app = createLocalApp({
      config: stackConfig,
      clock,
      warehouse,
      logger: { info: () => undefined, warn: alertLines, error: alertLines },
      alerts: { links: { dashboardBaseUrl: `http://127.0.0.1:${port}` }, ...(options.outboxPath ? { outboxPath: options.outboxPath } : {}) },
      longLivedAlerts: true,
      metrics: pipelineMetrics,
      // `obs emit` forwarded from another shell sends through this emitter, into this stack's ingest.
      emitter: transport.emitter,
      // The dead man's switch (alerts/run/heartbeat.ts): a ping after each successful evaluation, off the scheduler's path.
      afterAlertsSuccess: () => heartbeat.ping(),
    });
    undo.push(() => app.close());
    const jobs = app.jobs(warehouse);
    const alerts = app.alertRuntime(warehouse).runtime;
    if (config.streamingAlerts) {
      streaming = new StreamingAlerts({
        plan: streamingPlan(alerts.rules),
        tallies: new MemoryTallyStore(),
        warehouse: () => Promise.resolve(warehouse),
        runtime: () => alerts,
        clock,
        logger: { info: () => undefined, warn: alertLines, error: alertLines },
        // The same lines as the scheduled run's, marked with the path.
        onReport: (report) => onReport(report, ' · streaming, as the events arrived'),
      });
    }

    const now = () => clock.now();
    const probes = healthProbes({
      config: stackConfig,
      warehouse,
      writes: () => watched.outcomes(),
      pubsub: { ...stackConfig, provider: transport.kind === 'pubsub-emulator' ? 'pubsub' : 'none', pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST && transport.kind === 'pubsub-emulator' ? process.env.PUBSUB_EMULATOR_HOST : undefined, projectId: config.projectId ?? 'obs-local' },
      firestore: undefined,
      now,
    });
    const incidentStore = new WarehouseIncidentStore(warehouse, app.redactor);
    const sources: DashboardSources = { warehouse, config: stackConfig, probes, alerts: activeAlertsFromStore(alerts.store), transport: transport.description, incidents: incidentStore };
    const verify = localTokenVerifier(token);
    // Incidents (issue #16): PagerDuty's signed webhook and the admin API, on the stack's own table.
    const incidentRoutes: Route[] = [
      createPagerDutyWebhookRoute({ secret: () => stackConfig.pagerdutyWebhookSecret, store: () => incidentStore, clock: now, logger: { info: (m) => log(`incidents: ${m}`), warn: (m) => log(`incidents: ${m}`), error: (m) => log(`incidents: ${m}`) } }),
      createIncidentsRoute({ store: () => incidentStore, verify, clock: now }),
    ];
    // The public status page (/status): this stack's public incidents and maintenance windows.
    const status = { incidents: storePublicIncidents(() => incidentStore), maintenance: storeMaintenanceSource(new WarehouseMaintenanceStore(warehouse)), onError: (error: unknown) => log(`  status page: ${app.describeError(error)}`) };
    const routes: Route[] = [...incidentRoutes, ...createHttpRoutes({ sources, verify, clock: now, status }), createRemoteCliRoute({ verify, run: (args, io) => options.runCommand(args, io, app) })];
    serve = async (request) => {
      for (const route of routes) {
        const response = await route(request);
        if (response) return response;
      }
      return undefined;
    };
    const url = `http://127.0.0.1:${port}`;
    writeStackFile({ pid: process.pid, port, token, internalHealthKey: internalKey, duckdbPath: config.duckdbPath, startedAt: new Date().toISOString() });
    undo.push(() => removeStackFile(config.duckdbPath));

    log(
      [
        '',
        `  Observability stack running${options.demo ? ` — demo: replaying the last ${demoClock.leadMs / 60_000} minutes at ${demoClock.speed}×, then live` : ''}`,
        `  dashboard   ${url}/admin/observability#token=${token}`,
        `  admin token ${token}   (Authorization: Bearer …; also in ${stackFilePath(config.duckdbPath)})`,
        `  health      ${url}/health/public · ${url}/health/internal (X-Internal-Key: ${keys.internalKeySource.kind === 'env' ? '$INTERNAL_HEALTH_API_KEY' : `${internalKey}, kept in ${keys.internalKeySource.path}`})`,
        `  transport   ${transport.description}`,
        `  warehouse   DuckDB ${config.duckdbPath}   · notifications: unconfigured channels → ${options.outboxPath ?? '.data/outbox.jsonl'}`,
        ...allocatorLine(process.env, process.platform),
        // Names only: the Pushgateway URL may hold credentials.
        `  exporters   ${config.exporters.length > 0 ? `${config.exporters.join(', ')} (after each aggregation)` : 'none (OBSERVABILITY_PROVIDER / OBS_EXPORTERS)'} · Prometheus scrapes ${url}/metrics with the internal key`,
        `  other shells: npx obs slo status | obs alerts list (they run inside this process while it holds the file)`,
        '',
      ].join('\n'),
    );

    let traffic: DemoTraffic | undefined;
    let lastTick = clock.now();
    if (options.demo) {
      // Until the replay starts below, demo time runs in real time, `leadMs` behind it: however
      // long the backfill takes, the replay and the incident come after it (issue 12). A restart
      // continues the history it finds instead of backfilling it again.
      const days = options.backfillDays ?? 30;
      const liveFrom = clock.now();
      const plan = await planDemoHistory(warehouse, { liveFromMs: liveFrom, days });
      traffic = new DemoTraffic(transport.emitter, undefined);
      log(`  ${plan.describe}`);
      if (plan.backfill) {
        const { fromMs, toMs } = plan.backfill;
        // The backfill emits hour after hour without giving the emitter's timer a turn: hand what
        // it holds to the transport every day of history, or a month overflows its bounded buffer
        // (8 MB, ~18,600 hourly totals) and the older days are dropped (issue 12).
        let hours = 0;
        const droppedBefore = transport.emitter.stats().dropped;
        await traffic.backfill(fromMs, toMs, async () => {
          if (++hours % 24 === 0) await transport.emitter.flush();
          await options.onBackfillHour?.();
        });
        await transport.emitter.flush();
        const dropped = transport.emitter.stats().dropped - droppedBefore;
        if (dropped > 0) log(`  backfill: the emitter dropped ${dropped} history events (${transport.emitter.stats().lastDrop?.message ?? 'see its stats'}); the history has gaps`);
        await waitForIngest(transport, transport.emitter.stats().published);
        await runRebuild(warehouse, { fromMs, toMs, nowMs: toMs });
        const sloStepMs = 6 * 3_600_000;
        for (let t = fromMs + (plan.existingEvents === 0 ? DAY_MS : sloStepMs); t < toMs; t += sloStepMs) await runSloJob(warehouse, { nowMs: t, write: true });
      }
      // Live traffic starts here: from the end of the history (the first traffic tick fills the
      // minutes the backfill took), the replay from now, the incident a fixed time into it.
      clock.startReplay();
      lastTick = plan.trafficFromMs;
      const incidentAt = Math.max(clock.now(), plan.trafficFromMs) + DEMO_INCIDENT.startAfterMs;
      traffic.scheduleIncident(incidentAt);
      log(`  history ready; live traffic from every module now, and a wallet incident ${DEMO_INCIDENT.startAfterMs / 60_000} demo-minutes in (${new Date(incidentAt).toISOString().slice(11, 16)}Z demo time)`);
    }

    let running: Promise<void> | undefined;
    let banner = '';
    // DuckDB's own WAL threshold is raised for ingest speed (duckdb-warehouse.ts): fold the WAL in
    // here once it passes OBS_DUCKDB_WAL_MAX_MB, so it stays bounded on a stack that runs for days.
    const walMaxBytes = (Number(process.env.OBS_DUCKDB_WAL_MAX_MB) || DEFAULT_WAL_MAX_MB) * 1024 * 1024;
    let checkpointing: Promise<unknown> | undefined;
    const checkpointIfLarge = async (minBytes = walMaxBytes) => {
      if (!duckdb || checkpointing || duckdb.walBytes() < minBytes || duckdb.walBytes() === 0) return;
      checkpointing = duckdb.checkpoint().catch((error: unknown) => log(`  warehouse: checkpoint failed: ${error instanceof Error ? error.message : String(error)}`));
      await checkpointing.finally(() => (checkpointing = undefined));
    };
    const tick = async () => {
      const at = clock.now();
      await pipelineMetrics.flush(); // the ingest totals held so far, then everything the emitter holds
      // A failed aggregation must not skip the evaluation: stale rollups page through it
      // (pipeline-stale-rollups). The runner has reported the failure to the pipeline's metrics.
      await jobs.runAggregation(at).catch((error: unknown) => log(`  scheduler: aggregation failed; alerts are still evaluated: ${app.describeError(error)}`));
      // Every tick, whatever the WAL's size: the blocks the aggregation just wrote (~20 MB a tick
      // at 2,000 events/s) stay in DuckDB's memory until a checkpoint, and a checkpoint on its own
      // 15 s timer drifts against the tick (the soak bench's RSS sawtooth).
      await checkpointIfLarge(0);
      // The exporter stage (OBSERVABILITY_PROVIDER / OBS_EXPORTERS) after the rollups it reads; a no-op without exporters.
      await jobs.runExports(at).catch((error: unknown) => log(`  scheduler: export failed (each exporter keeps its cursor): ${app.describeError(error)}`));
      const report = await jobs.runAlerts(at);
      onReport(report);
      const colour = (await loadDashboard(sources, at)).banner.colour;
      if (colour !== banner) log(`  banner ${banner || '—'} → ${colour}`);
      banner = colour;
    };
    const guarded = () => {
      if (running) return running;
      running = tick()
        .catch((error: unknown) => log(`  scheduler: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (running = undefined));
      return running;
    };
    const trafficTimer = traffic
      ? setInterval(() => {
          const to = clock.now();
          if (to <= lastTick) return; // a restart resumes live traffic after the history it found
          traffic.tick(lastTick, to);
          lastTick = to;
        }, options.trafficIntervalMs ?? 1_000)
      : undefined;
    const schedulerMs = options.schedulerIntervalMs ?? (options.demo ? 5_000 : 60_000);
    const schedulerTimer = schedulerMs > 0 ? setInterval(() => void guarded(), schedulerMs) : undefined;
    const progressTimer = setInterval(() => {
      const s = transport.emitter.stats();
      const i = transport.ingested();
      const time = new Date(clock.now()).toISOString().slice(11, 19);
      options.progress(`${options.demo ? `demo ${clock.catchingUp() ? `${clock.speed}×` : 'live'} ` : ''}${time}Z · calls ${s.emitted} · events stored ${i.stored} · dead letters ${i.deadLettered} · banner ${banner || '…'} · firing ${firing.length ? firing.join(', ') : 'none'}`);
    }, 1_000);
    const walTimer = setInterval(() => void checkpointIfLarge(), WAL_CHECK_INTERVAL_MS);
    undo.push(async () => {
      clearInterval(trafficTimer);
      clearInterval(schedulerTimer);
      clearInterval(progressTimer);
      clearInterval(walTimer);
      await running;
      await checkpointing;
      // No flush here: transport.close() shuts the emitter down, flushing within its shutdown
      // deadline (5 s) rather than its retry window, so a dead warehouse cannot hold up Ctrl-C.
    });
    if (schedulerTimer) void guarded();

    return {
      url,
      token,
      transport: transport.kind,
      app,
      emitter: transport.emitter,
      ingested: () => transport.ingested(),
      tick: guarded,
      gaps: () => transport.recoveries(),
      walBytes: () => duckdb?.walBytes() ?? 0,
      streaming: () => streaming?.stats,
      streamingIdle: () => streaming?.idle() ?? Promise.resolve(),
      stop: releaseAll,
    };
  }
}

/** A clock the caller moves (tests): never catching up, speed 1. */
function manualClock(clock: Clock): DemoClock {
  return { now: () => clock.now(), sleep: (ms) => clock.sleep(ms), catchingUp: () => false, speed: 1, startReplay: () => undefined };
}

/** Waits until ingest has handled `events` events (stored, duplicate or dead-lettered), at most 60 s. */
async function waitForIngest(transport: StackTransport, events: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const i = transport.ingested();
    if (i.stored + i.duplicates + i.deadLettered >= events || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
