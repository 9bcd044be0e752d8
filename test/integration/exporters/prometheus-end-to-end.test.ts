import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { startStack, type RunningStack } from '../../../cli/local/stack';
import { exportJobName } from '../../../exporters/export-job';
import { loadConfig } from '../../../shared';
import { FakeClock } from '../../../shared/clock';
import { SLOS, useSloCatalogue, type SloSpec } from '../../../shared/slo-catalogue';
import { promSelector } from '../../../slo-as-code/sli-promql';
import { loadSloFile } from '../../../slo-as-code/slo-file';
import { defineQuery } from '../../../sql/dialect';
import { readJobState } from '../../../sql/job-state';
import { describeWhenAvailable } from '../../support/ci-gate';
import { freePort, PROMETHEUS_BIN, prometheusBinaries, PUSHGATEWAY_BIN, startBinary, waitFor, type RunningBinary } from './support/prometheus-binaries';

const MINUTE = 60_000;
/** Stack time: five minutes into an hour, so the test's minutes stay inside one UTC hour (the counters' reset). */
const START_MS = Date.UTC(2026, 10, 27, 10, 5, 0);
const KEY = 'prometheus-e2e-internal-key-0123';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * The Prometheus path end to end with the real binaries (Debian prometheus 2.42 and
 * prometheus-pushgateway 1.5): the local stack (in-process transport, hand-moved clock) ingests
 * traffic, rolls it up and, with OBS_EXPORTERS=prometheus, pushes each closed minute to a real
 * Pushgateway; a real Prometheus scrapes both the Pushgateway and the stack's own /metrics every
 * second; the test asks Prometheus's HTTP API for the values and compares them with what the
 * pipeline stored in its rollups.
 */
describeWhenAvailable('Prometheus: the real Pushgateway and Prometheus server find what the pipeline stored', prometheusBinaries([PROMETHEUS_BIN, PUSHGATEWAY_BIN]), () => {
  let dir: string;
  let pushgateway: RunningBinary | undefined;
  let prometheus: RunningBinary | undefined;
  let stack: RunningStack | undefined;
  let promUrl = '';
  /** OBS_SLO_FILE's example catalogue, in use for the stack: call-setup-latency's 2 s threshold becomes an le bound. */
  let callSetup: SloSpec;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-prom-'));
    const catalogue = loadSloFile(join(__dirname, '../../../docs/examples/slos.openslo.yaml')).slos;
    callSetup = catalogue.find((s) => s.id === 'call-setup-latency')!;
    useSloCatalogue(catalogue);
    const pgwPort = await freePort();
    pushgateway = startBinary(PUSHGATEWAY_BIN, [`--web.listen-address=127.0.0.1:${pgwPort}`]);
    const pgwUrl = `http://127.0.0.1:${pgwPort}`;
    await waitFor(`the Pushgateway on ${pgwUrl}`, async () => ((await fetch(`${pgwUrl}/-/ready`)).ok ? true : undefined));

    const clock = new FakeClock(START_MS);
    stack = await startStack({
      config: { ...loadConfig({}), duckdbPath: join(dir, 'observability.duckdb'), port: 0, internalHealthApiKey: KEY, exporters: ['prometheus'], prometheusPushgatewayUrl: pgwUrl },
      demo: false,
      useEmulator: false,
      clock,
      schedulerIntervalMs: 0,
      outboxPath: join(dir, 'outbox.jsonl'),
      runCommand: (args, io, app) => main(args, io, app),
      log: () => undefined,
      progress: () => undefined,
    });
    // Three minutes of traffic, then ticks until the export cursor has passed them (each tick is one stack minute).
    for (let m = 0; m < 3; m++) {
      for (let i = 0; i < 4 + m; i++) void stack.emitter.count('product.wallet.spend.success', 1, { feature: 'chat' });
      void stack.emitter.gauge('product.chat.session.active', 10 + m);
      for (const ms of [20, 80, 400]) void stack.emitter.timing('product.wallet.spend.latency_ms', ms, { feature: 'chat' });
      for (const ms of [1_500, 2_500]) void stack.emitter.timing('product.call.setup_latency_ms', ms, { call_type: 'video' });
      await stack.emitter.flush();
      clock.set(clock.now() + MINUTE);
      await stack.tick();
    }
    const running = stack;
    await waitFor('the export cursor to pass the traffic', async () => {
      clock.set(clock.now() + MINUTE);
      await running.tick();
      const state = await running.app.withWarehouse((wh) => readJobState(wh, exportJobName('prometheus')));
      return (state.watermarkMs ?? 0) >= START_MS + 3 * MINUTE ? true : undefined;
    });

    const promPort = await freePort();
    const config = join(dir, 'prometheus.yml');
    const stackHost = new URL(stack.url).host;
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: pushgateway',
        '    honor_labels: true',
        `    static_configs: [{ targets: ['127.0.0.1:${pgwPort}'] }]`,
        '  - job_name: obs_stack',
        '    metrics_path: /metrics',
        `    authorization: { credentials: '${KEY}' }`,
        `    static_configs: [{ targets: ['${stackHost}'] }]`,
        '',
      ].join('\n'),
    );
    prometheus = startBinary(PROMETHEUS_BIN, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`]);
    promUrl = `http://127.0.0.1:${promPort}`;
    await waitFor(`Prometheus on ${promUrl}`, async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 120_000);
  }, 240_000);

  afterAll(async () => {
    await prometheus?.stop();
    await pushgateway?.stop();
    await stack?.stop();
    useSloCatalogue(SLOS);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** Prometheus's answer to an instant query, once it has a sample of each wanted job. */
  const query = (promql: string, jobs: readonly string[]) =>
    waitFor(
      `Prometheus to answer ${promql} for ${jobs.join(' and ')}`,
      async () => {
        const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
        const body = (await response.json()) as { status: string; data: { result: Sample[] } };
        const byJob = new Map(body.data.result.map((s) => [s.metric.job ?? '', s]));
        return jobs.every((j) => byJob.has(j)) ? byJob : undefined;
      },
      120_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nprometheus output:\n${prometheus?.output().slice(-2000) ?? ''}`);
    });

  /** What the pipeline stored: the sum of a column of the 1-minute rollups of the traffic's hour. */
  const stored = (name: string, column: 'value_sum' | 'event_count') =>
    stack!.app.withWarehouse(async (wh) => {
      const [row] = await wh.query<{ total: number }>(
        defineQuery('test_stored', `SELECT SUM(${column}) AS total FROM {{metric_rollups}} WHERE name = @name AND window_seconds = 60 AND window_start >= TIMESTAMP_MILLIS(@from_ms) AND window_start < TIMESTAMP_MILLIS(@to_ms)`),
        { name, from_ms: START_MS - 5 * MINUTE, to_ms: START_MS + 3 * MINUTE },
      );
      return Number(row?.total);
    });

  it('finds the counter the pipeline stored, from the Pushgateway and from the stack\'s /metrics', async () => {
    const expected = await stored('product.wallet.spend.success', 'value_sum');
    expect(expected).toBe(4 + 5 + 6);
    const byJob = await query('product_wallet_spend_success_total{feature="chat"}', ['obs_pipeline', 'obs_stack']);
    expect(Number(byJob.get('obs_pipeline')!.value[1])).toBe(expected);
    expect(Number(byJob.get('obs_stack')!.value[1])).toBe(expected);
  });

  it('serves HEAD /metrics like GET without a body, and refuses a scrape without the key', async () => {
    const url = `${stack!.url}/metrics`;
    const get = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
    const body = await get.text();
    const head = await fetch(url, { method: 'HEAD', headers: { authorization: `Bearer ${KEY}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(await head.text()).toBe('');
    expect((await fetch(url)).status).toBe(401);
  });

  it('finds the timing histogram\'s count and the gauge\'s last value', async () => {
    const observations = await stored('product.wallet.spend.latency_ms', 'event_count');
    expect(observations).toBe(9);
    const counts = await query('product_wallet_spend_latency_ms_count{feature="chat"}', ['obs_pipeline', 'obs_stack']);
    expect(Number(counts.get('obs_pipeline')!.value[1])).toBe(observations);
    // 20 and 80 ms are under le=100, 400 ms is not: six of the nine.
    const under100 = await query('product_wallet_spend_latency_ms_bucket{feature="chat",le="100"}', ['obs_pipeline']);
    expect(Number(under100.get('obs_pipeline')!.value[1])).toBe(6);
    // The gauge: the last value of the newest minute that had one (10, 11, then 12).
    const gauge = await query('product_chat_session_active', ['obs_pipeline', 'obs_stack']);
    expect(Number(gauge.get('obs_pipeline')!.value[1])).toBe(12);
    expect(Number(gauge.get('obs_stack')!.value[1])).toBe(12);
  });

  it('with an imported SLO in use, finds the series its SLI selects: call-setup-latency\'s le="2000" bucket, from both', async () => {
    const good = promSelector(callSetup.sli.good![0]!);
    expect(good).toBe('product_call_setup_latency_ms_bucket{call_type="video",le="2000"}');
    const total = promSelector(callSetup.sli.total[0]!);
    // 1.5 s is within 2 s, 2.5 s is not: one of the two, in each of the three minutes.
    const under2s = await query(good, ['obs_pipeline', 'obs_stack']);
    expect(Number(under2s.get('obs_pipeline')!.value[1])).toBe(3);
    expect(Number(under2s.get('obs_stack')!.value[1])).toBe(3);
    const all = await query(total, ['obs_pipeline']);
    expect(Number(all.get('obs_pipeline')!.value[1])).toBe(await stored('product.call.setup_latency_ms', 'event_count'));
    expect(Number(all.get('obs_pipeline')!.value[1])).toBe(6);
  });
});
