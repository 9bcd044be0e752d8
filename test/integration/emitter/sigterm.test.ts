import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describeWithEmulator } from '../../support/emulator-env';
import { subscribe, uniqueName, type Collector } from './support';

jest.setTimeout(60_000);

const CHILD = join(__dirname, 'fixtures', 'metrics-child.ts');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the child with the emitter configured for `topic`; sends SIGTERM once it is ready, if asked. */
function runChild(host: string, topic: string, mode: string, count: number, sigterm: boolean, flushIntervalMs?: number): Promise<Exit> {
  const args = [CHILD, mode, String(count), ...(flushIntervalMs === undefined ? [] : [String(flushIntervalMs)])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, OBSERVABILITY_PROVIDER: 'pubsub', PUBSUB_EMULATOR_HOST: host, METRICS_TOPIC: topic, OBS_SERVICE: 'sigterm-child', METADATA_SERVER_DETECTION: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    if (sigterm && d.toString().includes('ready')) child.kill('SIGTERM');
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'emitter: a process that exits publishes what it emitted', (host) => {
  const collectors: Collector[] = [];
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.close()));
  });

  async function collectorFor(topic: string): Promise<Collector> {
    const collector = await subscribe(host, topic);
    collectors.push(collector);
    return collector;
  }

  it('on SIGTERM (no handler of its own) the events are published before the process dies by SIGTERM as usual', async () => {
    const topic = uniqueName('metrics-sigterm');
    const collector = await collectorFor(topic);
    const exit = await runChild(host, topic, 'sigterm', 25, true);
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    // 25 calls (merged: one series), plus the emitter's final report on itself.
    await collector.waitUntil(() => collector.packCalls >= 25 && collector.selfMetrics.has('infra.metrics.emitter.emitted.count'));
    expect(collector.packCalls).toBe(25);
    expect(collector.duplicates()).toBe(0);
    expect(collector.selfMetrics.get('infra.metrics.emitter.emitted.count')).toBe(25);
  });

  it('on SIGTERM the partial aggregation interval is published: with an hour-long flush interval, only the exit path can send it', async () => {
    const topic = uniqueName('metrics-partial');
    const collector = await collectorFor(topic);
    const exit = await runChild(host, topic, 'sigterm', 40, true, 3_600_000);
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    await collector.waitUntil(() => collector.packCalls >= 40);
    expect(collector.packCalls).toBe(40);
    expect(collector.packIds.size).toBe(1); // one series: one merged event of count 40
  });

  it('shutdownMetrics() in the application\'s own SIGTERM handler publishes the partial interval too', async () => {
    const topic = uniqueName('metrics-own-partial');
    const collector = await collectorFor(topic);
    const exit = await runChild(host, topic, 'own-handler', 40, true, 3_600_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    await collector.waitUntil(() => collector.packCalls >= 40);
    expect(collector.packCalls).toBe(40);
    expect(collector.packIds.size).toBe(1);
  });

  it('with two copies of the library loaded, SIGTERM still ends the process, after both have published', async () => {
    const topic = uniqueName('metrics-copies');
    const collector = await collectorFor(topic);
    const exit = await runChild(host, topic, 'two-copies', 20, true);
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    await collector.waitUntil(() => collector.packCalls >= 40); // 2 × 20 calls, one series per copy
    expect(collector.packCalls).toBe(40);
    expect(collector.packIds.size).toBe(2);
  });

  it('with its own SIGTERM handler the application keeps control of exiting, and shutdownMetrics() publishes first', async () => {
    const topic = uniqueName('metrics-own');
    const collector = await collectorFor(topic);
    const exit = await runChild(host, topic, 'own-handler', 25, true);
    expect(exit).toMatchObject({ code: 0, signal: null });
    await collector.waitUntil(() => collector.packCalls >= 25);
    expect(collector.packCalls).toBe(25);
  });

  it('a script that simply ends has its events flushed before exit, and still exits on its own', async () => {
    const topic = uniqueName('metrics-end');
    const collector = await collectorFor(topic);
    const started = Date.now();
    const exit = await runChild(host, topic, 'script-end', 25, false);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(20_000);
    await collector.waitUntil(() => collector.packCalls >= 25);
    expect(collector.packCalls).toBe(25);
  });
});
