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
function runChild(host: string, topic: string, mode: string, count: number, sigterm: boolean): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(count)], {
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
    // 25 events, plus the emitter's final report on itself (emitted.count, the buffered gauge).
    await collector.waitFor(27);
    expect(collector.packIds.size).toBe(25);
    expect(collector.duplicates()).toBe(0);
    expect(collector.selfMetrics.get('infra.metrics.emitter.emitted.count')).toBe(25);
  });

  it('with two copies of the library loaded, SIGTERM still ends the process, after both have published', async () => {
    const topic = uniqueName('metrics-copies');
    const collector = await collectorFor(topic);
    const exit = await runChild(host, topic, 'two-copies', 20, true);
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    await collector.waitFor(44); // 2 × 20 events and each copy's final report on itself
    expect(collector.packIds.size).toBe(40);
  });

  it('with its own SIGTERM handler the application keeps control of exiting, and shutdownMetrics() publishes first', async () => {
    const topic = uniqueName('metrics-own');
    const collector = await collectorFor(topic);
    const exit = await runChild(host, topic, 'own-handler', 25, true);
    expect(exit).toMatchObject({ code: 0, signal: null });
    await collector.waitFor(27);
    expect(collector.packIds.size).toBe(25);
  });

  it('a script that simply ends has its events flushed before exit, and still exits on its own', async () => {
    const topic = uniqueName('metrics-end');
    const collector = await collectorFor(topic);
    const started = Date.now();
    const exit = await runChild(host, topic, 'script-end', 25, false);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(20_000);
    await collector.waitFor(25);
    expect(collector.packIds.size).toBe(25);
  });
});
