import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Events API v2 request the stand-in received, stamped on arrival (performance.now()). */
export interface ReceivedEvent {
  readonly atMs: number;
  readonly eventAction: string;
  readonly dedupKey: string;
  /** The whole body, as sent (to find a rule id in it). */
  readonly raw: string;
}

export interface PagerDutyStandIn {
  /** The Events API URL to configure (PAGERDUTY_EVENTS_URL). */
  readonly url: string;
  readonly received: ReceivedEvent[];
  /** Resolves with the first trigger received at or after `fromMs` whose body names `ruleId`; undefined after `timeoutMs`. */
  waitForTrigger(ruleId: string, fromMs: number, timeoutMs: number): Promise<ReceivedEvent | undefined>;
  close(): Promise<void>;
}

/**
 * A PagerDuty stand-in: a real HTTP server on 127.0.0.1 speaking Events API v2 — POST /v2/enqueue
 * with a JSON event answers 202 with PagerDuty's success body; anything else 404 / 400. The
 * arrival time is taken when the request's head arrives, before its body is read.
 */
export async function startPagerDutyStandIn(): Promise<PagerDutyStandIn> {
  const received: ReceivedEvent[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const atMs = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v2/enqueue') {
        response.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: { event_action?: unknown; dedup_key?: unknown };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid' }));
        return;
      }
      received.push({ atMs, eventAction: String(body.event_action), dedupKey: String(body.dedup_key), raw });
      response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key }));
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const find = (ruleId: string, fromMs: number) => received.find((e) => e.atMs >= fromMs && e.eventAction === 'trigger' && e.raw.includes(ruleId));
  return {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    received,
    waitForTrigger(ruleId, fromMs, timeoutMs) {
      return new Promise((resolve) => {
        const check = () => {
          const hit = find(ruleId, fromMs);
          if (!hit) return;
          done(hit);
        };
        const timer = setTimeout(() => done(undefined), timeoutMs);
        const done = (hit: ReceivedEvent | undefined) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
