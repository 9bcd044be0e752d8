import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHeartbeat, heartbeatTarget, sendHeartbeat } from '../../../alerts/run/heartbeat';
import type { Logger } from '../../../shared/logger';

/** A heartbeat endpoint on 127.0.0.1 whose behaviour each test chooses. */
class HeartbeatStandIn {
  readonly requests: Array<{ method: string; url: string }> = [];
  behaviour: 'ok' | 'fail' | 'hang' = 'ok';
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '' });
      if (this.behaviour === 'hang') return void this.hanging.push(res);
      res.writeHead(this.behaviour === 'ok' ? 200 : 503, { 'content-type': 'text/plain' }).end(this.behaviour === 'ok' ? 'OK' : 'down');
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info = (m: string, f?: Readonly<Record<string, unknown>>) => void this.lines.push(JSON.stringify({ level: 'info', m, ...f }));
  warn = (m: string, f?: Readonly<Record<string, unknown>>) => void this.lines.push(JSON.stringify({ level: 'warn', m, ...f }));
  error = (m: string, f?: Readonly<Record<string, unknown>>) => void this.lines.push(JSON.stringify({ level: 'error', m, ...f }));
}

const CHECK_ID = '5f1c9a3e-2b7d-4e8a-9c61-0d4f3b2a1e77';

describe('the heartbeat (dead man\'s switch)', () => {
  const standIn = new HeartbeatStandIn();
  let url: string;
  beforeAll(async () => {
    await standIn.start();
    url = `http://127.0.0.1:${standIn.port}/ping/${CHECK_ID}?token=s3cr3t-token`;
  });
  afterAll(() => standIn.stop());
  beforeEach(() => {
    standIn.requests.length = 0;
    standIn.behaviour = 'ok';
  });

  it('sends one GET to the configured URL for each ping', async () => {
    const log = new MemoryLogger();
    const heartbeat = createHeartbeat({ url, log });
    heartbeat.ping();
    heartbeat.ping();
    await heartbeat.pending();
    expect(standIn.requests).toEqual([
      { method: 'GET', url: `/ping/${CHECK_ID}?token=s3cr3t-token` },
      { method: 'GET', url: `/ping/${CHECK_ID}?token=s3cr3t-token` },
    ]);
    expect(log.lines).toEqual([]);
  });

  it('does nothing at all when OBS_HEARTBEAT_URL is unset', async () => {
    const heartbeat = createHeartbeat({ url: undefined, log: new MemoryLogger() });
    heartbeat.ping();
    await heartbeat.pending();
    expect(heartbeat.enabled).toBe(false);
    expect(standIn.requests).toEqual([]);
  });

  it('returns at once and never throws while the endpoint hangs; the ping is abandoned after its timeout', async () => {
    standIn.behaviour = 'hang';
    const log = new MemoryLogger();
    const heartbeat = createHeartbeat({ url, log, timeoutMs: 300 });
    const started = performance.now();
    expect(() => heartbeat.ping()).not.toThrow();
    expect(performance.now() - started).toBeLessThan(50);
    await heartbeat.pending();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(standIn.requests).toHaveLength(1);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('no answer within 300 ms');
  });

  it('logs a failing endpoint (HTTP 503) as a warning without raising it, and says when pings succeed again', async () => {
    standIn.behaviour = 'fail';
    const log = new MemoryLogger();
    const heartbeat = createHeartbeat({ url, log });
    heartbeat.ping();
    await heartbeat.pending();
    standIn.behaviour = 'ok';
    heartbeat.ping();
    await heartbeat.pending();
    expect(log.lines.map((l) => JSON.parse(l) as { level: string; reason?: string; heartbeat: string })).toEqual([
      expect.objectContaining({ level: 'warn', reason: 'HTTP 503', heartbeat: `127.0.0.1:${standIn.port}` }),
      expect.objectContaining({ level: 'info', heartbeat: `127.0.0.1:${standIn.port}` }),
    ]);
  });

  it('never puts the URL, its path or its query in a log line, whatever the failure', async () => {
    const log = new MemoryLogger();
    standIn.behaviour = 'fail';
    const heartbeat = createHeartbeat({ url, log, timeoutMs: 300 });
    heartbeat.ping();
    await heartbeat.pending();
    standIn.behaviour = 'hang';
    heartbeat.ping();
    await heartbeat.pending();
    // A closed port, and a fetch that fails with the URL in its message.
    const refused = createHeartbeat({ url: `http://127.0.0.1:1/ping/${CHECK_ID}`, log });
    refused.ping();
    await refused.pending();
    const leaky = createHeartbeat({ url, log, fetch: (u) => Promise.reject(new Error(`request to ${u} failed`, { cause: new Error(`while fetching ${u}`) })) });
    leaky.ping();
    await leaky.pending();
    expect(log.lines.length).toBeGreaterThanOrEqual(4);
    for (const line of log.lines) {
      expect(line).not.toContain(CHECK_ID);
      expect(line).not.toContain('s3cr3t-token');
    }
  });

  it('does not delay or fail the caller: a loop of pings against a hanging endpoint finishes immediately', async () => {
    standIn.behaviour = 'hang';
    const heartbeat = createHeartbeat({ url, log: new MemoryLogger(), timeoutMs: 300 });
    const evaluation = async () => {
      await Promise.resolve();
      heartbeat.ping();
      return 'evaluated';
    };
    const started = performance.now();
    await expect(evaluation()).resolves.toBe('evaluated');
    expect(performance.now() - started).toBeLessThan(50);
    await heartbeat.pending();
  });

  it('sendHeartbeat reports the outcome for `obs doctor --ping`', async () => {
    await expect(sendHeartbeat(url)).resolves.toEqual({ ok: true, status: 200 });
    standIn.behaviour = 'fail';
    await expect(sendHeartbeat(url)).resolves.toEqual({ ok: false, reason: 'HTTP 503' });
  });

  it('prints only the host of the URL', () => {
    expect(heartbeatTarget('https://hc-ping.com/5f1c9a3e')).toBe('hc-ping.com');
    expect(heartbeatTarget('not a url')).toBe('<OBS_HEARTBEAT_URL>');
  });
});
