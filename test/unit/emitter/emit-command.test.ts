import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { createLocalApp } from '../../../app/local';
import { createEmitter, createMemoryTransport } from '../../../emitter';
import { loadConfig } from '../../../shared/config';

async function obs(args: string[], env: Record<string, string | undefined> = {}) {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const io = capture();
    const code = await main(args, io);
    return { code, ...io };
  } finally {
    process.env = saved;
  }
}

describe('obs emit (without a transport)', () => {
  it('with OBSERVABILITY_PROVIDER unset it says the event was discarded and how to publish, exit 1', async () => {
    const { code, stdout } = await obs(['emit', 'product.wallet.spend.success', '--tag', 'feature=chat'], { OBSERVABILITY_PROVIDER: undefined });
    expect(code).toBe(1);
    expect(stdout).toContain('dropped product.wallet.spend.success count 1 {feature=chat}: disabled');
    expect(stdout).toContain('OBSERVABILITY_PROVIDER=pubsub');
  });

  it('--json gives the outcome machine-readably', async () => {
    const { stdout } = await obs(['emit', 'product.wallet.balance', '42', '--tag', 'pool=creators', '--json'], { OBSERVABILITY_PROVIDER: 'none' });
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'dropped', metric: 'product.wallet.balance', kind: 'gauge', value: 42, tags: { pool: 'creators' }, transport: 'none', reason: 'disabled' });
  });

  it.each([
    [['emit'], 'a metric name is required'],
    [['emit', 'product.wallet.spend.success', 'three'], 'the value must be a number'],
    [['emit', 'product.wallet.spend.success', '--tag', 'feature'], '--tag must be key=value'],
    [['emit', 'product.wallet.spend.latency_ms'], 'is a timing metric: give a value'],
    [['emit', 'product.wallet.spend.success', '--at', 'yesterday'], '--at must be an ISO time'],
  ])('%j is a usage error: %s', async (args, message) => {
    const { code, stderr } = await obs(args);
    expect(code).toBe(64);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: obs emit');
  });

  it('a bad OBSERVABILITY_PROVIDER is a configuration error naming the variable (exit 78)', async () => {
    const { code, stderr } = await obs(['emit', 'product.wallet.spend.success'], { OBSERVABILITY_PROVIDER: 'statsd' });
    expect(code).toBe(78);
    expect(stderr).toContain('OBSERVABILITY_PROVIDER');
  });
});

describe('obs emit checks the event as ingest does, whatever the transport (issue 12)', () => {
  it('reports personal data in a tag with the validator reason, without echoing it, even with the transport none', async () => {
    const { code, stdout } = await obs(['emit', 'product.wallet.spend.success', '--tag', 'feature=jane@example.com', '--json'], { OBSERVABILITY_PROVIDER: 'none' });
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { reason: string; reasons: Array<{ code: string; field: string }>; message: string };
    expect(result.reason).toBe('personal_data');
    expect(result.reasons).toContainEqual(expect.objectContaining({ code: 'personal_data', field: 'event.tags.feature' }));
    expect(JSON.stringify(result.reasons) + result.message).not.toContain('jane');
  });

  it('reports an unknown metric with the validator reason', async () => {
    const { code, stdout } = await obs(['emit', 'product.wallet.spend.sucess'], { OBSERVABILITY_PROVIDER: undefined });
    expect(code).toBe(1);
    expect(stdout).toContain('dropped product.wallet.spend.sucess count 1: unknown_metric');
    expect(stdout).toContain('unknown_metric (event.name)');
  });

  it('without a running stack and without a transport, says exactly what to set', async () => {
    const { stdout } = await obs(['emit', 'product.wallet.spend.success', '--tag', 'feature=chat'], { OBSERVABILITY_PROVIDER: undefined, OBS_DUCKDB_PATH: '/tmp/obs-emit-no-stack/obs.duckdb' });
    for (const text of ['npx obs start', 'OBSERVABILITY_PROVIDER=pubsub', 'PUBSUB_EMULATOR_HOST=', 'GOOGLE_CLOUD_PROJECT=obs-local']) expect(stdout).toContain(text);
  });

  it('inside the running stack, sends through the stack emitter (its transport feeds its ingest)', async () => {
    const transport = createMemoryTransport();
    const emitter = createEmitter({ transport, service: 'stack', selfMetricsIntervalMs: 0 });
    const app = createLocalApp({ config: loadConfig({}), emitter });
    const io = capture();
    const code = await main(['emit', 'product.wallet.spend.success', '--tag', 'feature=chat'], io, app);
    expect(code).toBe(0);
    expect(io.stdout).toContain('published product.wallet.spend.success count 1 {feature=chat} via the running obs start');
    expect(emitter.stats().published).toBe(1);
    await emitter.shutdown();
  });
});
