import type { Dialect, Params, Row, SqlQuery, TableName, Warehouse, DeadLetterRow, EventRow, InsertEventsResult } from '.';
import type { JobScan } from './bigquery/bigquery-job-scans';

/**
 * A {@link Warehouse} that opens the real one on its first call (through `open`, which the
 * assembly shares: open-warehouse.ts openOnce). Handlers take a Warehouse when they are built, but an HTTP
 * function should not open BigQuery or DuckDB to answer a 401, serve a static asset, or report
 * that the warehouse cannot be opened: with this, only the calls that need data open it, and a
 * failed open rejects that call (a health probe then reports `error`) and is tried again next time.
 */
export class DeferredWarehouse implements Warehouse {
  private used = false;

  constructor(
    readonly dialect: Dialect,
    private readonly opener: () => Promise<Warehouse>,
  ) {}

  private open(): Promise<Warehouse> {
    this.used = true;
    return this.opener();
  }

  async createSchema(): Promise<void> {
    await (await this.open()).createSchema();
  }

  async insertEvents(rows: readonly EventRow[]): Promise<InsertEventsResult> {
    return (await this.open()).insertEvents(rows);
  }

  async insertDeadLetters(rows: readonly DeadLetterRow[]): Promise<void> {
    await (await this.open()).insertDeadLetters(rows);
  }

  async query<T extends Row = Row>(query: SqlQuery, params?: Params): Promise<T[]> {
    return (await this.open()).query<T>(query, params);
  }

  async execute(query: SqlQuery, params?: Params): Promise<void> {
    await (await this.open()).execute(query, params);
  }

  async upsert(table: TableName, rows: readonly Row[]): Promise<void> {
    await (await this.open()).upsert(table, rows);
  }

  async partitionMinutes(table: TableName): Promise<number | undefined> {
    const warehouse = await this.open();
    return warehouse.partitionMinutes ? warehouse.partitionMinutes(table) : undefined;
  }

  /** The real warehouse's job statistics (BigQuery), or undefined when it keeps none (DuckDB). */
  async jobScans(fromMs: number, toMs: number): Promise<readonly JobScan[] | undefined> {
    const warehouse = await this.open();
    return warehouse.jobScans ? warehouse.jobScans(fromMs, toMs) : undefined;
  }

  /** Closes the real warehouse if anything asked for it; never opens one just to close it. */
  async close(): Promise<void> {
    if (this.used) await (await this.open()).close();
  }
}
