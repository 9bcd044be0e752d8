import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { BulkInserter, DEAD_LETTER_COLUMNS } from './duckdb-bulk-insert';
import { EventInserter } from './duckdb-event-inserter';
import { upsertRows } from './duckdb-upsert';
import { renderSchema } from '../ddl';
import { ADDED_COLUMNS, renderAddedColumns } from '../migrations';
import { DUCKDB_COMPAT_MACROS, paramsUsedBy, renderSql, type SqlQuery } from '../dialect';
import type { TableName } from '../tables';
import type { DeadLetterRow, EventRow, InsertEventsResult, Params, Row, SqlValue, Warehouse } from '../warehouse';

/**
 * Settings applied to every DuckDB file this adapter opens.
 *
 * checkpoint_threshold: by default DuckDB checkpoints each time the WAL passes 16 MB, and each
 * checkpoint rewrites the PRIMARY KEY index of metric_events, a cost that grows with the table.
 * Measured here (bench/ingest.bench.ts, 100k-event rounds): CPU per stored event rose from ~8 to
 * ~15 µs over the first 800k rows at 16 MB, and stayed at ~7 µs with 256 MB. The price is a larger
 * WAL to replay after a crash (at most 256 MB: seconds).
 */
export const DUCKDB_FILE_SETTINGS: readonly string[] = ["SET checkpoint_threshold = '256MB'"];

/**
 * Resource bounds for one DuckDB instance, given to DuckDB when it opens (its `memory_limit` and
 * `threads` settings). Unset: DuckDB's own defaults, which are 80% of the machine's RAM and one
 * thread per core — far too much for a process that shares a laptop (issue 17, item 10).
 */
export interface DuckDbResourceSettings {
  /** DuckDB size string, e.g. `512MB` or `2GB`. */
  readonly memoryLimit?: string;
  readonly threads?: number;
}

const SIZE_PATTERN = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/**
 * The table blocks DuckDB may keep cached between checkpoints (checkpoint() trims to it). DuckDB keeps every
 * block it has read or written in its buffer pool until memory_limit forces it out, and the blocks
 * a checkpoint writes stay there: at 2,000 events/s that is about 1.6 MB more a minute, for hours,
 * before the 512 MB limit is reached (the 30-minute soak measured it: 17 → 57 MB). The incremental
 * jobs read recent minutes only (zone maps skip older row groups), so older blocks are not needed
 * in memory; when one is, it comes back from the file (and the OS page cache).
 */
export const DUCKDB_CACHE_AFTER_CHECKPOINT = '16MB';
const CACHE_AFTER_CHECKPOINT_BYTES = 16 * 1024 * 1024;

/**
 * The embedded warehouse: one DuckDB file (or `:memory:`). DuckDB allows one writing process per
 * file; within the process, operations are serialised on one connection so a MERGE never
 * interleaves with another write.
 */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly events: EventInserter;
  private readonly deadLetters = new BulkInserter(DEAD_LETTER_COLUMNS);
  /** insertEvents calls under way (their staging runs outside the queue): close waits for them. */
  private readonly inserting = new Set<Promise<unknown>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly path: string,
    /** The memory_limit the instance was opened with; undefined: DuckDB's default, and no trimming. */
    private readonly memoryLimit: string | undefined,
  ) {
    this.events = new EventInserter(instance);
  }

  /** Opens (creating the folder if needed) the DuckDB file at `path`, or `:memory:`. */
  static async open(path: string, resources: DuckDbResourceSettings = {}): Promise<DuckDbWarehouse> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path, instanceOptions(resources));
    const connection = await instance.connect();
    for (const macro of DUCKDB_COMPAT_MACROS) await connection.run(macro);
    if (path !== ':memory:') for (const setting of DUCKDB_FILE_SETTINGS) await connection.run(setting);
    return new DuckDbWarehouse(instance, connection, path, resources.memoryLimit?.trim());
  }

  /** Runs `work` after every earlier operation has finished (one writer at a time). */
  protected serial<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => work(this.connection));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async createSchema(): Promise<void> {
    await this.serial(async (c) => {
      for (const ddl of renderSchema('duckdb')) await c.run(ddl);
      // Columns added since a file was created (sql/migrations.ts): only those it lacks.
      for (const added of ADDED_COLUMNS) {
        const reader = await c.runAndReadAll('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $table', { table: added.table });
        const present = new Set(reader.getRows().map(([name]) => String(name)));
        const missing = added.columns.filter((name) => !present.has(name));
        if (missing.length === 0) continue;
        for (const ddl of renderAddedColumns({ ...added, columns: missing }, 'duckdb')) await c.run(ddl);
      }
    });
  }

  async query<T extends Row = Row>(query: SqlQuery, params: Params = {}): Promise<T[]> {
    const sql = renderSql(query.text, 'duckdb');
    return this.serial(async (c) => {
      const reader = await c.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map((row) => normaliseRow(row) as T);
    });
  }

  async execute(query: SqlQuery, params: Params = {}): Promise<void> {
    if (query.statements) {
      // A script: its statements in turn on the one connection (temporary tables are the
      // connection's), each with the parameters it uses — DuckDB rejects one it does not.
      const statements = query.statements.map((text) => ({ sql: renderSql(text, 'duckdb'), params: paramsUsedBy(text, params) }));
      await this.serial(async (c) => {
        for (const statement of statements) await c.run(statement.sql, statement.params);
      });
      return;
    }
    const sql = renderSql(query.text, 'duckdb');
    await this.serial((c) => c.run(sql, params as Record<string, DuckDBValue>));
  }

  /**
   * Appender → staging → one INSERT … SELECT, skipping stored ids (duckdb-event-inserter.ts). The
   * staging runs beside the queue; only the INSERT waits its turn with the other writes.
   */
  async insertEvents(rows: readonly EventRow[]): Promise<InsertEventsResult> {
    if (rows.length === 0) return { inserted: 0, duplicates: 0 };
    const work = (async () => {
      const staged = await this.events.stage(rows);
      try {
        const inserted = await this.serial((c) => this.events.move(c, staged));
        return { inserted, duplicates: rows.length - inserted };
      } finally {
        await this.events.release(staged);
      }
    })();
    this.inserting.add(work);
    try {
      return await work;
    } finally {
      this.inserting.delete(work);
    }
  }

  /** Same path as events; a dead letter already stored (a redelivered poison message) is skipped. */
  async insertDeadLetters(rows: readonly DeadLetterRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.serial((c) => this.deadLetters.insert(c, rows));
  }

  /** INSERT … ON CONFLICT, or a MERGE for tables without a DuckDB key (duckdb-upsert.ts). */
  async upsert(table: TableName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    await this.serial((c) => upsertRows(c, table, rows));
  }

  /** Bytes in the write-ahead log (`<file>.wal`) now; 0 for `:memory:` or when there is none. */
  walBytes(): number {
    if (this.path === ':memory:') return 0;
    try {
      return statSync(`${this.path}.wal`).size;
    } catch {
      return 0;
    }
  }

  /**
   * Folds the WAL into the database file (DuckDB `CHECKPOINT`), in turn with the other writes.
   * The file settings raise DuckDB's automatic threshold to 256 MB for ingest speed (above), so a
   * long-running process calls this on its own schedule instead (the local stack: after each
   * aggregation tick, and when the WAL passes a size), and in-memory databases attached to the
   * instance (below). Resolves to the WAL size before and after.
   */
  async checkpoint(): Promise<{ walBytesBefore: number; walBytesAfter: number }> {
    const walBytesBefore = this.walBytes();
    await this.serial(async (c) => {
      if (this.path !== ':memory:') await c.run('CHECKPOINT');
      // In-memory databases attached to this instance (the ingest staging tables) never
      // checkpoint by themselves, and DuckDB reclaims deleted rows only at a checkpoint. Staging
      // is now emptied by recreating its tables (duckdb-event-inserter.ts), which frees them at
      // once; this still folds whatever else such a database holds (issue 17, item 10).
      const attached = await c.runAndReadAll("SELECT database_name FROM duckdb_databases() WHERE NOT internal AND path IS NULL AND database_name <> current_database()");
      for (const [name] of attached.getRows()) {
        try {
          await c.run(`CHECKPOINT "${String(name).replace(/"/g, '""')}"`);
        } catch {
          // A staging call holds it right now: the next checkpoint will fold it.
        }
      }
      await this.trimCache(c);
    });
    return { walBytesBefore, walBytesAfter: this.walBytes() };
  }

  /**
   * After each checkpoint, two things DuckDB does not do on its own:
   *
   * - Evicts cached table blocks (the `BASE_TABLE` tag of duckdb_memory()) beyond
   *   DUCKDB_CACHE_AFTER_CHECKPOINT, by lowering memory_limit for a moment to what DuckDB holds
   *   besides them plus that allowance. Lowering it to the allowance alone, as before, also made
   *   DuckDB write the in-memory data it must keep (rows appended since the checkpoint, the ingest
   *   staging tables) to its temporary folder, and failed whenever that data passed the allowance
   *   (the local stack's usual case: the cache was then never trimmed).
   * - Hands back to the OS the memory its allocators hold but no longer use: DuckDB flushes them
   *   (jemalloc's arenas, and malloc_trim for glibc's heap) whenever memory_limit is set, which
   *   restoring the limit does. Without that, memory freed after a checkpoint stayed resident until
   *   allocation activity purged it, and glibc's was never returned (the soak, bench/soak.bench.ts).
   *
   * The limit is then restored to its configured value, whatever happened.
   */
  private async trimCache(c: DuckDBConnection): Promise<void> {
    // Without a configured limit there is no exact value to restore (DuckDB shows its default
    // rounded, and RESET leaves the lowered one): such an instance is left alone.
    if (this.memoryLimit === undefined) return;
    const reader = await c.runAndReadAll("SELECT COALESCE(SUM(memory_usage_bytes), 0), COALESCE(SUM(memory_usage_bytes) FILTER (WHERE tag = 'BASE_TABLE'), 0) FROM duckdb_memory()");
    const [total, cached] = (reader.getRows()[0] ?? [0, 0]).map(Number) as [number, number];
    try {
      if (cached > CACHE_AFTER_CHECKPOINT_BYTES) await c.run(`SET memory_limit = '${Math.ceil((total - cached + CACHE_AFTER_CHECKPOINT_BYTES) / 1024)}KiB'`);
    } catch {
      // Pinned blocks (a query under way holds them) kept it above that: the next checkpoint tries again.
    } finally {
      // instanceOptions checked the configured size against SIZE_PATTERN. Setting it flushes the allocators (above).
      await c.run(`SET memory_limit = '${this.memoryLimit}'`);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inserting]);
    await this.queue;
    this.events.close();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB's open-time configuration; a bad value is a configuration error, thrown with its name. */
function instanceOptions(resources: DuckDbResourceSettings): Record<string, string> {
  const options: Record<string, string> = {};
  if (resources.memoryLimit !== undefined) {
    if (!SIZE_PATTERN.test(resources.memoryLimit.trim())) throw new Error(`DuckDB memory limit must be a size such as 512MB or 2GB, got ${JSON.stringify(resources.memoryLimit)}`);
    options.memory_limit = resources.memoryLimit.trim();
  }
  if (resources.threads !== undefined) {
    if (!Number.isInteger(resources.threads) || resources.threads < 1) throw new Error(`DuckDB threads must be a positive integer, got ${resources.threads}`);
    options.threads = String(resources.threads);
  }
  return options;
}

/** A DuckDB row as the warehouse port returns it: BIGINT → number, TIMESTAMP → epoch ms, structures as JSON text. */
export function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'bigint') out[key] = Number(value);
    else if (value instanceof Date) out[key] = value.getTime();
    else if (value === undefined) out[key] = null;
    else if (typeof value === 'object' && value !== null) out[key] = JSON.stringify(value);
    else out[key] = value as SqlValue;
  }
  return out;
}
