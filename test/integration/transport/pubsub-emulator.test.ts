import { PubSub, type Message } from '@google-cloud/pubsub';
import { randomUUID } from 'node:crypto';
import { decodeMessage, WIRE_SCHEMA } from '../../../shared';
import { describeWithEmulator } from '../../support/emulator-env';

describeWithEmulator('PUBSUB_EMULATOR_HOST', 'Pub/Sub emulator round trip', (host) => {
  let pubsub: PubSub;

  beforeAll(() => {
    pubsub = new PubSub({ projectId: 'obs-test', apiEndpoint: host });
  });

  afterAll(async () => {
    await pubsub.close();
  });

  it('a v1 message published to a topic is pulled from its subscription intact', async () => {
    const suffix = randomUUID().slice(0, 8);
    const [topic] = await pubsub.createTopic(`metrics-events-${suffix}`);
    const [subscription] = await topic.createSubscription(`ingest-${suffix}`);
    const now = Date.now();
    const message = {
      schema: WIRE_SCHEMA,
      source: { service: 'wallet', environment: 'test' },
      events: [{ id: randomUUID(), name: 'product.wallet.spend.success', kind: 'count', value: 1, ts: now, tags: { feature: 'chat' } }],
    };

    const received = new Promise<Message>((resolve, reject) => {
      subscription.on('message', (m: Message) => {
        m.ack();
        resolve(m);
      });
      subscription.on('error', reject);
    });
    const messageId = await topic.publishMessage({ data: Buffer.from(JSON.stringify(message)) });
    const got = await received;
    await subscription.close();
    await subscription.delete();
    await topic.delete();

    expect(got.id).toBe(messageId);
    const decoded = decodeMessage(got.data, { nowMs: now });
    expect(decoded.messageReasons).toEqual([]);
    expect(decoded.rejected).toEqual([]);
    expect(decoded.valid).toEqual(message.events);
  });
});
