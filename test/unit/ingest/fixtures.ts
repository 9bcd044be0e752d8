import { defineQuery, type Row, type Warehouse } from '../../../sql';

/** A fixed "now" for every ingest test: validation ranges and ingest_ts are relative to it. */
export const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

export interface TestEvent {
  id: string;
  name: string;
  kind: string;
  value: unknown;
  ts: unknown;
  tags?: Record<string, unknown>;
}

export const spend = (id: string, overrides: Partial<TestEvent> = {}): TestEvent => ({
  id,
  name: 'product.wallet.spend.success',
  kind: 'count',
  value: 1,
  ts: NOW - 1_000,
  tags: { feature: 'chat', region: 'eu' },
  ...overrides,
});

export const message = (events: unknown[], source: unknown = { service: 'wallet', environment: 'test' }): string =>
  JSON.stringify({ schema: 'metrics.v1', source, events });

export async function storedIds(warehouse: Warehouse): Promise<string[]> {
  const rows = await warehouse.query<{ event_id: string } & Row>(
    defineQuery('t_ids', 'SELECT event_id FROM {{metric_events}} WHERE event_ts >= TIMESTAMP_MILLIS(0) ORDER BY event_id'),
  );
  return rows.map((r) => r.event_id);
}

export interface StoredDeadLetter extends Row {
  dead_letter_id: string;
  scope: string;
  message_id: string | null;
  event_index: number | null;
  event_id: string | null;
  reason_codes: string;
  reasons: string;
  raw_payload: string;
  service: string | null;
}

export async function deadLetters(warehouse: Warehouse): Promise<StoredDeadLetter[]> {
  return warehouse.query<StoredDeadLetter>(
    defineQuery(
      't_dead',
      'SELECT dead_letter_id, scope, message_id, event_index, event_id, reason_codes, CAST(reasons AS STRING) AS reasons, raw_payload, service FROM {{dead_letters}} WHERE received_at >= TIMESTAMP_MILLIS(0) ORDER BY dead_letter_id',
    ),
  );
}
