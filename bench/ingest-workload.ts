import { randomUUID } from 'node:crypto';
import type { IngestMessage } from '../ingest';

/**
 * Messages shaped like the emitter's: a mix of the metrics a busy backend emits, with tag values
 * from bounded enumerations (route templates, status classes, regions) — a few hundred distinct
 * tag sets in all — and a fresh UUID per event.
 */
export type BenchMessage = IngestMessage & { data: string };

const ENDPOINTS = ['/api/messages/:id', '/api/wallet/spend', '/api/calls/:id/join', '/api/feed', '/api/profile/:id', '/api/gifts', '/api/search', '/api/auth/refresh'];
const METHODS = ['GET', 'POST'];
const STATUS = ['2xx', '2xx', '2xx', '4xx', '5xx'];
const REGIONS = ['europe-west1', 'us-central1', 'asia-east1'];
const COLLECTIONS = ['users', 'messages', 'wallets', 'calls'];
const OPERATIONS = ['read', 'write', 'query'];
const QUEUES = ['notifications', 'moderation', 'payouts'];

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;

function event(i: number, now: number): Record<string, unknown> {
  const id = randomUUID();
  const ts = now - (i % 60_000);
  const region = pick(REGIONS, i >> 3);
  switch (i % 4) {
    case 0:
      return { id, name: 'infra.http.request.latency_ms', kind: 'timing', value: (i % 997) / 3, ts, tags: { tier: 'api', endpoint: pick(ENDPOINTS, i), method: pick(METHODS, i >> 1), status_class: pick(STATUS, i >> 2), region } };
    case 1:
      return { id, name: 'infra.http.request.count', kind: 'count', value: 1, ts, tags: { tier: 'api', endpoint: pick(ENDPOINTS, i >> 1), method: pick(METHODS, i), status_class: pick(STATUS, i >> 3), region } };
    case 2:
      return { id, name: 'infra.db.query.latency_ms', kind: 'timing', value: (i % 211) / 7, ts, tags: { collection: pick(COLLECTIONS, i >> 2), operation: pick(OPERATIONS, i) } };
    default:
      return { id, name: 'infra.queue.depth', kind: 'gauge', value: i % 50, ts, tags: { queue: pick(QUEUES, i >> 2) } };
  }
}

export function makeMessages(count: number, eventsPerMessage: number, prefix: string, now = Date.now()): BenchMessage[] {
  return Array.from({ length: count }, (_, m) => ({
    id: `${prefix}-${m}`,
    data: JSON.stringify({
      schema: 'metrics.v1',
      source: { service: pick(['chat', 'wallet', 'calls'], m), environment: 'production' },
      events: Array.from({ length: eventsPerMessage }, (_, i) => event(m * eventsPerMessage + i, now)),
    }),
  }));
}
