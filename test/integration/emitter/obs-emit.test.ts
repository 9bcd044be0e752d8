import { main } from '../../../cli/obs';
import type { CommandIo } from '../../../cli/command';
import { describeWithEmulator } from '../../support/emulator-env';
import { PROJECT, subscribe, uniqueName, type Collector } from './support';

jest.setTimeout(60_000);

async function obs(args: string[], env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') } satisfies CommandIo & Record<string, unknown>;
    const code = await main(args, io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  } finally {
    process.env = saved;
  }
}

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'obs emit against the Pub/Sub emulator', (host) => {
  let collector: Collector;
  const topic = uniqueName('metrics-cli');
  const env = { OBSERVABILITY_PROVIDER: 'pubsub', PUBSUB_EMULATOR_HOST: host, METRICS_TOPIC: topic };

  beforeAll(async () => {
    collector = await subscribe(host, topic);
  });
  afterAll(async () => {
    await collector.close();
  });

  it('publishes one event and says where it went', async () => {
    const { code, stdout } = await obs(['emit', 'product.wallet.spend.success', '--tag', 'feature=chat'], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`published product.wallet.spend.success count 1 {feature=chat} via pubsub (topic ${topic} on the emulator at ${host}, project ${PROJECT})`);
    await collector.waitFor(1);
    expect(collector.packIds.size).toBe(1);
  });

  it('an event the catalogue refuses is dropped, with the reason, exit 1', async () => {
    const { code, stdout } = await obs(['emit', 'product.wallet.spend.success', '--tag', 'user=web', '--json'], env);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'dropped', reason: 'invalid', message: expect.stringContaining('tag "user" is not allowed') });
  });

  it('personal data in a tag is dropped as personal_data, and the message does not repeat it', async () => {
    const { code, stdout } = await obs(['emit', 'product.wallet.spend.success', '--tag', 'feature=jane@example.com', '--json'], env);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { reason: string; message: string };
    expect(result.reason).toBe('personal_data');
    expect(result.message).not.toContain('jane');
  });
});
