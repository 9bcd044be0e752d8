import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { runAggregation } from '../../aggregator/aggregate';
import { ALERTS_JOB, ROLLUP_JOB, SLO_JOB, recordJobRun } from '../../aggregator/job-state';
import { runRebuild } from '../../aggregator/rebuild';
import { runSloJob } from '../../aggregator/slo-job';
import { evaluateAlerts, type EvaluationReport } from '../../alerts/run/evaluate-run';
import { createAlertRuntime, type BuiltRuntime } from '../../alerts/run/runtime';
import { systemClock } from '../../alerts/clock';
import { loadDashboard, type DashboardSources } from '../../dashboard/dashboard-data';
import { localTokenVerifier } from '../../health/admin-auth';
import { activeAlertsFromStore } from '../../health/alert-store-source';
import { firestoreProbe, ingestLagProbe, jobFreshnessProbe, pubsubTopicProbe, warehouseHealthProbe } from '../../health/component-probes';
import { channelsProbe, environmentProbe, type NamedProbe } from '../../health/internal-health';
import { loadCardinalityLimiter } from '../../ingest/cardinality-seed';
import { IngestHandler } from '../../ingest/ingest-handler';
import { openIngestWarehouse, registerProcessWarehouse } from '../../ingest/warehouse-factory';
import type { ObservabilityConfig } from '../../shared';
import type { Warehouse } from '../../sql/warehouse';
import type { CommandIo } from '../command';
import { createDemoClock, realClock, type DemoClock } from './demo/demo-clock';
import { DemoTraffic } from './demo/demo-traffic';
import { DEMO_INCIDENT } from './demo/traffic-profile';
import { createHttpRoutes } from './http-app';
import { createHttpServer, listen } from './http-server';
import { createRemoteCliRoute } from './remote-cli';
import { findRunningStack, removeStackFile, writeStackFile } from './stack-file';
import { openStackTransport, type StackTransport } from './stack-transport';

const DAY_MS = 86_400_000;
/** The demo replays the last 30 minutes at 8× (about 4.3 real minutes), then runs live. */
export const DEMO_CLOCK = { leadMs: 30 * 60_000, speed: 8 } as const;

export interface StackOptions {
  config: ObservabilityConfig;
  demo: boolean;
  /** Runs an `obs` command inside this process (POST /api/cli). */
  runCommand: (args: string[], io: CommandIo) => Promise<number>;
  /** Lines for people: the banner, transitions, deliveries. */
  log: (line: string) => void;
  /** The one-line progress display. */
  progress: (line: string) => void;
  /** Use the Pub/Sub emulator when it is installed (default true). */
  useEmulator?: boolean;
  /** Scheduler period; default 5 s in demo mode, 60 s otherwise. */
  schedulerIntervalMs?: number;
  /** Days of history the demo backfills (default 30). */
  backfillDays?: number;
  /** The demo clock (default {@link DEMO_CLOCK}); tests run it faster. */
  demoClock?: { leadMs: number; speed: number };
  /** Where unconfigured channels write (default .data/outbox.jsonl). */
  outboxPath?: string;
  /** How often demo traffic is generated, real ms (default 1 s). */
  trafficIntervalMs?: number;
}

export interface RunningStack {
  readonly url: string;
  readonly token: string;
  readonly transport: StackTransport['kind'];
  /** Runs one aggregation + alert evaluation now (tests; the scheduler does this on its own). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the local pipeline. See docs/OPERATIONS.md ("The local stack"). */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, log } = options;
  const demoClock = options.demoClock ?? DEMO_CLOCK;
  const clock: DemoClock = options.demo ? createDemoClock(demoClock) : realClock;
  const other = findRunningStack(config.duckdbPath);
  if (other) throw new Error(`another obs start (pid ${other.pid}) already holds ${config.duckdbPath}; stop it or set OBS_DUCKDB_PATH`);

  const warehouse: Warehouse = await openIngestWarehouse({ ...config, warehouse: 'duckdb' });
  registerProcessWarehouse(warehouse, config.duckdbPath);
  const token = process.env.OBS_LOCAL_ADMIN_TOKEN || randomBytes(18).toString('base64url');
  const internalKey = config.internalHealthApiKey ?? randomBytes(18).toString('base64url');
  const stackConfig: ObservabilityConfig = { ...config, warehouse: 'duckdb', internalHealthApiKey: internalKey };

  const cardinality = await loadCardinalityLimiter(warehouse, clock.now(), { maxSeriesPerMetricPerDay: config.maxSeriesPerMetricPerDay, warn: log });
  const handler = new IngestHandler({ warehouse, now: () => clock.now(), log: (level, message) => level !== 'info' && log(`ingest ${level}: ${message}`), cardinality });
  const transport = await openStackTransport({
    handler,
    topic: config.metricsTopic,
    projectId: config.projectId ?? 'obs-local',
    emulatorHost: config.pubsubEmulatorHost,
    useEmulator: options.useEmulator ?? true,
    now: () => clock.now(),
    service: options.demo ? 'demo' : 'local',
  });
  const alerts: BuiltRuntime = createAlertRuntime({
    warehouse,
    config: stackConfig,
    clock: { now: () => clock.now(), sleep: (ms) => systemClock.sleep(ms) },
    links: { dashboardBaseUrl: `http://127.0.0.1:${config.port}` },
    ...(options.outboxPath ? { outboxPath: options.outboxPath } : {}),
    logger: { info: () => undefined, warn: (m) => log(`alerts: ${m}`), error: (m) => log(`alerts: ${m}`) },
  });

  const now = () => clock.now();
  const probes: NamedProbe[] = [
    { name: 'warehouse', probe: warehouseHealthProbe(warehouse) },
    { name: 'pubsub', probe: pubsubTopicProbe({ ...stackConfig, provider: transport.kind === 'pubsub-emulator' ? 'pubsub' : 'none', pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST && transport.kind === 'pubsub-emulator' ? process.env.PUBSUB_EMULATOR_HOST : undefined, projectId: config.projectId ?? 'obs-local' }) },
    { name: 'firestore', probe: firestoreProbe(undefined, now) },
    { name: 'ingest_lag', probe: ingestLagProbe(warehouse, now) },
    { name: 'aggregator', probe: jobFreshnessProbe(warehouse, now, (job) => job === ROLLUP_JOB || job === SLO_JOB, 'aggregator') },
    { name: 'alert_evaluator', probe: jobFreshnessProbe(warehouse, now, (job) => job === ALERTS_JOB, 'alert evaluator') },
    { name: 'channels', probe: channelsProbe(stackConfig) },
    { name: 'environment', probe: environmentProbe(stackConfig) },
  ];
  const sources: DashboardSources = { warehouse, config: stackConfig, probes, alerts: activeAlertsFromStore(alerts.store) };
  const verify = localTokenVerifier(token);
  const server: Server = createHttpServer(
    [...createHttpRoutes({ sources, verify, clock: now }), createRemoteCliRoute({ verify, run: options.runCommand })],
    (error) => log(`http: ${error instanceof Error ? error.message : String(error)}`),
  );
  const port = await listen(server, config.port).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'EADDRINUSE' ? `port ${config.port} is in use: set PORT to another one` : error.message, { cause: error });
  });
  const url = `http://127.0.0.1:${port}`;
  writeStackFile({ pid: process.pid, port, token, duckdbPath: config.duckdbPath, startedAt: new Date().toISOString() });

  log(
    [
      '',
      `  Observability stack running${options.demo ? ` — demo: replaying the last ${demoClock.leadMs / 60_000} minutes at ${demoClock.speed}×, then live` : ''}`,
      `  dashboard   ${url}/admin/observability#token=${token}`,
      `  admin token ${token}   (Authorization: Bearer …; also in ${config.duckdbPath.replace(/[^/]+$/, '')}stack.json)`,
      `  health      ${url}/health/public · ${url}/health/internal (X-Internal-Key: ${config.internalHealthApiKey ? '$INTERNAL_HEALTH_API_KEY' : internalKey})`,
      `  transport   ${transport.description}`,
      `  warehouse   DuckDB ${config.duckdbPath}   · notifications: unconfigured channels → ${options.outboxPath ?? '.data/outbox.jsonl'}`,
      `  other shells: npx obs slo status | obs alerts list (they run inside this process while it holds the file)`,
      '',
    ].join('\n'),
  );

  let traffic: DemoTraffic | undefined;
  if (options.demo) {
    const days = options.backfillDays ?? 30;
    const start = clock.now();
    traffic = new DemoTraffic(transport.emitter, start + DEMO_INCIDENT.startAfterMs);
    log(`  backfilling ${days} days of history…`);
    await traffic.backfill(start - days * DAY_MS, start, () => Promise.resolve());
    await transport.emitter.flush();
    await waitForIngest(transport, transport.emitter.stats().published);
    await runRebuild(warehouse, { fromMs: start - days * DAY_MS, toMs: start, nowMs: start });
    for (let t = start - days * DAY_MS + DAY_MS; t < start; t += 6 * 3_600_000) await runSloJob(warehouse, { nowMs: t, write: true });
    log(`  history ready; live traffic from every module now, and a wallet incident ${DEMO_INCIDENT.startAfterMs / 60_000} demo-minutes in`);
  }

  let lastTick = clock.now();
  let running: Promise<void> | undefined;
  let banner = '';
  let firing: string[] = [];
  const onReport = (report: EvaluationReport) => {
    for (const t of report.transitions) log(`  alert ${t.fingerprint}: ${t.from} → ${t.to}${t.value === null ? '' : ` (value ${t.value}, threshold ${t.threshold})`}`);
    for (const d of report.deliveries) log(`  notification ${d.channel}: ${d.outcome}`);
    firing = report.firing.map((f) => `${f.severity} ${f.fingerprint.split('|')[0] ?? f.fingerprint}`);
  };
  const tick = async () => {
    const at = clock.now();
    await transport.emitter.flush();
    await runAggregation(warehouse, at);
    const report = await evaluateAlerts(alerts, at);
    await recordJobRun(warehouse, ALERTS_JOB, at, { runId: report.runId, transitions: report.transitions.length, firing: report.firing.length });
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
        traffic.tick(lastTick, to);
        lastTick = to;
      }, options.trafficIntervalMs ?? 1_000)
    : undefined;
  const schedulerTimer = setInterval(() => void guarded(), options.schedulerIntervalMs ?? (options.demo ? 5_000 : 60_000));
  const progressTimer = setInterval(() => {
    const s = transport.emitter.stats();
    const i = transport.ingested();
    const time = new Date(clock.now()).toISOString().slice(11, 19);
    options.progress(`${options.demo ? `demo ${clock.catchingUp() ? `${clock.speed}×` : 'live'} ` : ''}${time}Z · emitted ${s.emitted} · stored ${i.stored} · dead letters ${i.deadLettered} · banner ${banner || '…'} · firing ${firing.length ? firing.join(', ') : 'none'}`);
  }, 1_000);
  void guarded();

  return {
    url,
    token,
    transport: transport.kind,
    tick: guarded,
    async stop() {
      clearInterval(trafficTimer);
      clearInterval(schedulerTimer);
      clearInterval(progressTimer);
      await running;
      await transport.emitter.flush();
      await transport.close();
      await new Promise((resolve) => server.close(resolve));
      alerts.close();
      registerProcessWarehouse(undefined);
      removeStackFile(config.duckdbPath);
      await warehouse.close();
    },
  };
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
