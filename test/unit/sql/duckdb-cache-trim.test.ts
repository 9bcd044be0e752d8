import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { defineQuery } from '../../../sql';

/**
 * DuckDB keeps every block it has read or written cached until memory_limit forces it out; the
 * local stack's checkpoint after each tick trims that cache to 16 MB (issue 17, item 10: the
 * soak's RSS grew with the blocks each checkpoint wrote).
 */
const fill = defineQuery('test_cache_trim_fill', `CREATE TABLE big AS SELECT i AS n, md5(CAST(i AS VARCHAR)) AS h FROM range(2000000) t(i)`);
const scan = defineQuery('test_cache_trim_scan', 'SELECT COUNT(DISTINCT h) AS distinct_h, SUM(n) AS total FROM big');
const held = defineQuery('test_cache_trim_held', 'SELECT SUM(memory_usage_bytes) AS bytes FROM duckdb_memory()');
const cachedTables = defineQuery('test_cache_trim_cached', "SELECT COALESCE(SUM(memory_usage_bytes), 0) AS bytes FROM duckdb_memory() WHERE tag = 'BASE_TABLE'");
const spilled = defineQuery('test_cache_trim_spilled', 'SELECT COALESCE(SUM(temporary_storage_bytes), 0) AS bytes FROM duckdb_memory()');
const attach = defineQuery('test_cache_trim_attach', "ATTACH ':memory:' AS scratch");
const fillInMemory = defineQuery('test_cache_trim_in_memory', 'CREATE TABLE scratch.main.held AS SELECT i AS n, md5(CAST(i AS VARCHAR)) AS h FROM range(1500000) t(i)');
const countInMemory = defineQuery('test_cache_trim_in_memory_count', 'SELECT COUNT(DISTINCT h) AS distinct_h FROM scratch.main.held');
const limit = defineQuery('test_cache_trim_limit', "SELECT current_setting('memory_limit') AS memory_limit");
const MB = 1024 * 1024;

describe('DuckDbWarehouse.checkpoint trims the block cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'obs-cache-trim-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([['512MB'], ['1GB']])('leaves at most 16 MB cached after a checkpoint, and the memory limit as it was (limit %s)', async (memoryLimit) => {
    const wh = await DuckDbWarehouse.open(join(dir, 'db.duckdb'), { memoryLimit, threads: 1 });
    try {
      await wh.execute(fill);
      await wh.checkpoint();
      const [before] = await wh.query<{ memory_limit: string }>(limit);
      await wh.query(scan);
      const [loaded] = await wh.query<{ bytes: number }>(held);
      expect(loaded?.bytes).toBeGreaterThan(32 * MB);

      await wh.checkpoint();

      const [after] = await wh.query<{ bytes: number }>(held);
      expect(after?.bytes).toBeLessThanOrEqual(16 * MB);
      const [cachedAfter] = await wh.query<{ bytes: number }>(cachedTables);
      expect(cachedAfter?.bytes).toBeLessThanOrEqual(16 * MB);
      expect(await wh.query(limit)).toEqual([before]);
      // Evicted blocks come back from the file: the data is all there.
      expect(await wh.query(scan)).toEqual([{ distinct_h: 2_000_000, total: 1_999_999_000_000 }]);
    } finally {
      await wh.close();
    }
  });

  // The local stack's usual case: after a checkpoint DuckDB also holds data that lives only in
  // memory (rows appended since, the ingest staging tables), more than the 16 MB allowance. The
  // cache is trimmed all the same, and that data stays in memory (not written to the temporary folder).
  it('trims the cache while more than 16 MB lives only in memory, without writing that to the temporary folder', async () => {
    const wh = await DuckDbWarehouse.open(join(dir, 'db.duckdb'), { memoryLimit: '512MB', threads: 1 });
    try {
      await wh.execute(fill);
      await wh.checkpoint();
      await wh.execute(attach);
      await wh.execute(fillInMemory);
      await wh.query(scan);
      const [cachedBefore] = await wh.query<{ bytes: number }>(cachedTables);
      const [heldBefore] = await wh.query<{ bytes: number }>(held);
      expect(cachedBefore?.bytes).toBeGreaterThan(32 * MB);
      expect((heldBefore?.bytes ?? 0) - (cachedBefore?.bytes ?? 0)).toBeGreaterThan(16 * MB);

      await wh.checkpoint();

      const [cachedAfter] = await wh.query<{ bytes: number }>(cachedTables);
      expect(cachedAfter?.bytes).toBeLessThanOrEqual(16 * MB);
      expect(await wh.query(spilled)).toEqual([{ bytes: 0 }]);
      expect(await wh.query(countInMemory)).toEqual([{ distinct_h: 1_500_000 }]);
      expect(await wh.query(scan)).toEqual([{ distinct_h: 2_000_000, total: 1_999_999_000_000 }]);
    } finally {
      await wh.close();
    }
  });
});
