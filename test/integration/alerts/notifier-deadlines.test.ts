import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ChannelId } from '../../../shared/channels';
import { AlertEnv } from './support/alert-env';
import { batchOf } from './support/batches';

/** A TCP peer that accepts connections and never writes a byte. */
class SilentPeer {
  readonly sockets: Socket[] = [];
  /** Connections the client wrote on (an HTTP client may also open a spare one it never uses). */
  readonly spoken = new Set<Socket>();
  private server!: Server;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((socket) => {
      this.sockets.push(socket);
      socket.on('data', () => this.spoken.add(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const closedSoon = (socket: Socket) => (socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', resolve)));

/**
 * Every network notifier honours its attempt's deadline against a peer that accepts the
 * connection and then says nothing (an HTTP service that never answers, an SMTP server that never
 * greets): the send ends as retryable and timed out, and the connection is closed rather than
 * left running — so a late answer cannot complete a message the ledger will send again.
 */
describe('notifier deadlines against a silent peer', () => {
  let http: SilentPeer;
  let smtp: SilentPeer;
  let env: AlertEnv;

  beforeAll(async () => {
    [http, smtp] = await Promise.all([new SilentPeer().start(), new SilentPeer().start()]);
    env = await AlertEnv.open({
      SLACK_ONCALL_WEBHOOK: `http://127.0.0.1:${http.port}/services/T0/B0/silentToken0123456789`,
      PAGERDUTY_INTEGRATION_KEY: 'deadline-test-routing-key',
      PAGERDUTY_EVENTS_URL: `http://127.0.0.1:${http.port}/v2/enqueue`,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      OPS_EMAIL: 'ops@avalo.test',
    });
  });
  afterAll(async () => {
    await env.close();
    await Promise.all([http.close(), smtp.close()]);
  });

  it.each([
    ['oncall-slack', 'Slack webhook'],
    ['pagerduty', 'PagerDuty'],
    ['ops-email', 'SMTP server'],
  ])('%s: a send cut off by its deadline is retryable, timed out, and its connection is closed', async (channel, who) => {
    const peer = channel === 'ops-email' ? smtp : http;
    const before = peer.sockets.length;
    const result = await env.runtime().notifiers.get(channel as ChannelId)!.send(batchOf(channel as ChannelId), AbortSignal.timeout(200));
    expect(result).toEqual({ outcome: 'retryable', reason: `${who} did not answer before the request deadline`, timedOut: true });
    // SMTP waits for the greeting before writing anything: there every connection is the send's.
    const used = peer.sockets.slice(before).filter((s) => peer === smtp || peer.spoken.has(s));
    expect(used.length).toBeGreaterThan(0);
    await Promise.all(used.map(closedSoon));
  });
});
