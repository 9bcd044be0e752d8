import { rateLimitedLog } from '../../../cli/local/stack-log';
import { warehouseHealthProbe } from '../../../health/component-probes';
import { watchWrites } from '../../../ingest/warehouse-write-outcomes';
import type { Warehouse } from '../../../sql/warehouse';

const NO_SPACE = 'IO Error: Could not write file "/data/observability.duckdb.wal": No space left on device';

/** A warehouse whose reads work and whose writes fail while `full` is set, like a full disk. */
function diskFullWarehouse(): { warehouse: Warehouse; setFull(full: boolean): void } {
  let full = true;
  const write = () => (full ? Promise.reject(new Error('insert failed', { cause: new Error(NO_SPACE) })) : Promise.resolve());
  return {
    setFull: (value) => void (full = value),
    warehouse: {
      dialect: 'duckdb',
      createSchema: () => Promise.resolve(),
      insertEvents: (rows) => write().then(() => ({ inserted: rows.length, duplicates: 0 })),
      insertDeadLetters: () => write(),
      query: () => Promise.resolve([]),
      execute: () => write(),
      upsert: () => write(),
      close: () => Promise.resolve(),
    },
  };
}

describe('the warehouse health probe when writes fail (a full disk)', () => {
  const now = 1_764_180_000_000;
  const clock = () => now;

  it('says ok when nothing has been written yet, and the warehouse answers', async () => {
    const { warehouse } = diskFullWarehouse();
    const watched = watchWrites(warehouse, clock);
    await expect(warehouseHealthProbe(watched.warehouse, () => watched.outcomes(), clock)()).resolves.toEqual({ status: 'ok', detail: 'duckdb answers' });
  });

  it('says error, with the reason and its cause, while writes keep failing even though reads work', async () => {
    const { warehouse } = diskFullWarehouse();
    const watched = watchWrites(warehouse, clock);
    for (let i = 0; i < 3; i++) await expect(watched.warehouse.insertEvents([])).rejects.toThrow('insert failed');
    const result = await warehouseHealthProbe(watched.warehouse, () => watched.outcomes(), clock)();
    expect(result.status).toBe('error');
    expect(result.detail).toContain('3 failed since the last success');
    expect(result.detail).toContain('No space left on device');
  });

  it('says degraded once writes work again, until the failure is older than five minutes', async () => {
    const { warehouse, setFull } = diskFullWarehouse();
    let at = now;
    const watched = watchWrites(warehouse, () => at);
    await expect(watched.warehouse.upsert('metric_rollups', [])).rejects.toThrow();
    setFull(false);
    await watched.warehouse.upsert('metric_rollups', []);
    const probe = warehouseHealthProbe(watched.warehouse, () => watched.outcomes(), () => at);
    await expect(probe()).resolves.toMatchObject({ status: 'degraded', detail: expect.stringContaining('No space left on device') as unknown });
    at += 5 * 60_000 + 1;
    await expect(probe()).resolves.toEqual({ status: 'ok', detail: 'duckdb answers' });
  });
});

describe('the local stack log folds repeated failures', () => {
  it('writes the first line with the message id and the reason, then one line with a count per window', () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      const { log, close } = rateLimitedLog((line) => void lines.push(line), 30_000);
      for (let i = 0; i < 984; i++) log('warn', 'ingest: warehouse write failed; the message will be redelivered', { messageId: `m-${i}`, deliveryAttempt: 1, error: NO_SPACE });
      expect(lines).toEqual([`warn: ingest: warehouse write failed; the message will be redelivered (messageId="m-0" deliveryAttempt=1 error=${JSON.stringify(NO_SPACE)})`]);
      jest.advanceTimersByTime(30_000);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('messageId="m-983"');
      expect(lines[1]).toContain('No space left on device');
      expect(lines[1]).toMatch(/— 983 more like this in the last 30 s$/);
      log('error', 'ingest subscriber: the handler threw; the batch will be redelivered', { messageId: 'x', cause: 'RangeError: too deep' });
      expect(lines).toHaveLength(3);
      close();
    } finally {
      jest.useRealTimers();
    }
  });
});
