import { managedwriter, protos } from '@google-cloud/bigquery-storage';
import pLimit from 'p-limit';
import type { TableDef } from '../../tables';
import { WarehouseRowsRejectedError, type RejectedRow } from '../../warehouse-errors';
import { chunkRows, type Sleep } from '../bigquery-streaming';
import type { StreamingRow } from '../bigquery-values';
import { storageDescriptor, storageRow } from './storage-rows';

type WriterClientOptions = NonNullable<ConstructorParameters<typeof managedwriter.WriterClient>[0]>;
type AppendRowsResponse = protos.google.cloud.bigquery.storage.v1.IAppendRowsResponse;

/**
 * Appends to the BigQuery Storage Write API's default stream
 * (`projects/P/datasets/D/tables/T/streams/_default`) with the managed writer of
 * `@google-cloud/bigquery-storage` (WriterClient + JSONWriter): rows are committed as each append
 * is acknowledged, at least once. See sql/bigquery/README.md, "Storage Write API".
 *
 * Outcomes of one append (AppendRowsResponse / the call's gRPC status):
 * - acknowledged: the rows are stored.
 * - `row_errors`: BigQuery appended *none* of the request's rows (storage.proto: "no rows in the
 *   batch will be appended"). The rows it names are refused for good — reported as
 *   WarehouseRowsRejectedError, so ingest dead-letters them as on the insertAll path — and the
 *   others are appended again in a new request.
 * - a retryable status (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, DEADLINE_EXCEEDED,
 *   CANCELLED): the same rows again, after a backoff (250 ms, doubling), up to `maxRetries` times,
 *   then StorageWriteError (the caller's Pub/Sub message is redelivered). If the failed attempt
 *   did land (the acknowledgement was lost with the connection), the retry stores those rows a
 *   second time: the default stream has no offsets to detect it. That is the at-least-once
 *   contract; every reader deduplicates by event_id (docs/INGEST.md), as for insertAll, whose
 *   insertId dedup is best effort too.
 * - any other status (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, …): StorageWriteError at
 *   once, naming the table and the status; never row data or credentials.
 *
 * The client's own write retries stay off (its default): they resend without backoff, and the
 * row-error case needs the split above anyway.
 */
export interface StorageWriteLimits {
  /** Rows per AppendRows request. */
  maxRowsPerRequest: number;
  /** Bytes per request, counted as the rows' JSON (larger than their proto encoding); the API's limit is 10 MB. */
  maxBytesPerRequest: number;
  /** Appends in flight at once per call (on one connection per table, acknowledged in order). */
  concurrency: number;
  /** Retries of an append that failed with a retryable status. */
  maxRetries: number;
  /** First retry delay; doubled for each further retry. */
  retryBaseDelayMs: number;
}

export const DEFAULT_STORAGE_WRITE_LIMITS: StorageWriteLimits = {
  maxRowsPerRequest: 10_000,
  maxBytesPerRequest: 5_000_000,
  concurrency: 4,
  maxRetries: 4,
  retryBaseDelayMs: 250,
};

export interface StorageWriterOptions {
  dataset: string;
  /** The project of the dataset; by default the client's (application default credentials). */
  projectId?: string;
  /** Options for the WriterClient (tests: `apiEndpoint`, `port`, `sslCreds`). */
  clientOptions?: WriterClientOptions;
  limits?: Partial<StorageWriteLimits>;
  /** For tests: the wait between retries. */
  sleep?: Sleep;
}

/** A failed append that is not a row-level refusal: the whole call failed, nothing of the failed request is known to be stored. */
export class StorageWriteError extends Error {
  constructor(
    readonly table: string,
    /** The gRPC status code (undefined when the failure had none). */
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'StorageWriteError';
  }
}

const RETRYABLE = new Set([1, 4, 8, 10, 13, 14]); // CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE
const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
const MAX_DETAIL_CHARS = 300;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

interface TableStream {
  readonly writer: managedwriter.JSONWriter;
  readonly connection: { close(): void };
}

export class StorageWriter {
  private readonly client: managedwriter.WriterClient;
  private readonly limits: StorageWriteLimits;
  private readonly sleep: Sleep;
  private readonly streams = new Map<string, Promise<TableStream>>();
  private projectId: Promise<string> | undefined;

  constructor(private readonly options: StorageWriterOptions) {
    this.client = new managedwriter.WriterClient({ ...(options.projectId ? { projectId: options.projectId } : {}), ...options.clientOptions });
    this.limits = { ...DEFAULT_STORAGE_WRITE_LIMITS, ...options.limits };
    this.sleep = options.sleep ?? realSleep;
    if (this.limits.maxBytesPerRequest > 9_000_000) throw new Error('Storage Write API: keep requests well under 10 MB');
  }

  /**
   * Appends `rows` to `table`'s default stream. Resolves with the number of rows stored; throws
   * WarehouseRowsRejectedError when some rows were refused (all others stored), or
   * StorageWriteError when an append failed for good.
   */
  async write(table: TableDef, rows: readonly StreamingRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const limit = pLimit(this.limits.concurrency);
    const chunks = chunkRows(rows, this.limits.maxRowsPerRequest, this.limits.maxBytesPerRequest);
    const results = await Promise.all(chunks.map((chunk) => limit(() => this.appendChunk(table, chunk))));
    const rejected = results.flat();
    const stored = rows.length - rejected.length;
    if (rejected.length > 0) throw new WarehouseRowsRejectedError(table.name, rejected, stored);
    return stored;
  }

  async close(): Promise<void> {
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const stream of await Promise.allSettled(streams)) if (stream.status === 'fulfilled') stream.value.writer.close();
    this.client.close();
    await this.client.getClient().close();
  }

  /** Appends one request's rows until they are stored or refused; returns the refused ones. */
  private async appendChunk(table: TableDef, chunk: readonly StreamingRow[]): Promise<RejectedRow[]> {
    let pending = chunk;
    const rejected: RejectedRow[] = [];
    for (let attempt = 0; pending.length > 0; ) {
      let response: AppendRowsResponse;
      try {
        const { writer } = await this.stream(table);
        response = await writer.appendRows(pending.map((row) => storageRow(table, row))).getResult();
      } catch (error) {
        const code = statusCode(error);
        if (code !== undefined && RETRYABLE.has(code) && attempt < this.limits.maxRetries) {
          await this.sleep(this.limits.retryBaseDelayMs * 2 ** attempt++);
          continue;
        }
        throw await this.failure(table, pending.length, code, error, attempt);
      }
      const rowErrors = response.rowErrors ?? [];
      if (rowErrors.length > 0) {
        // None of the request was appended: refuse the named rows, append the others again.
        const refused = new Set<number>();
        for (const rowError of rowErrors) {
          const index = Number(rowError.index);
          const row = pending[index];
          if (!row) throw new StorageWriteError(table.name, undefined, `Storage Write API: ${table.name}: a row error names row ${String(rowError.index)}, which the request did not have`);
          refused.add(index);
          rejected.push({ key: row.insertId, reason: `${rowErrorCode(rowError.code)}: ${truncate(rowError.message ?? '')}`.trim() });
        }
        pending = pending.filter((_, index) => !refused.has(index));
        continue;
      }
      const inBand = response.error;
      if (inBand && inBand.code) {
        if (RETRYABLE.has(inBand.code) && attempt < this.limits.maxRetries) {
          await this.sleep(this.limits.retryBaseDelayMs * 2 ** attempt++);
          continue;
        }
        throw await this.failure(table, pending.length, inBand.code, { message: inBand.message ?? '' }, attempt);
      }
      return rejected;
    }
    return rejected;
  }

  /** The table's default-stream writer, opened on first use and kept (one connection per table). */
  private stream(table: TableDef): Promise<TableStream> {
    let stream = this.streams.get(table.name);
    if (!stream) {
      stream = this.open(table);
      stream.catch(() => this.streams.delete(table.name));
      this.streams.set(table.name, stream);
    }
    return stream;
  }

  private async open(table: TableDef): Promise<TableStream> {
    const destinationTable = `projects/${await this.project()}/datasets/${this.options.dataset}/tables/${table.name}`;
    const connection = await this.client.createStreamConnection({ streamId: managedwriter.DefaultStream, destinationTable });
    // Without a listener, a connection error with no append waiting is thrown from an event
    // handler; the append that meets it is failed (and retried) by appendChunk either way.
    connection.onConnectionError(() => undefined);
    const writer = new managedwriter.JSONWriter({ connection, protoDescriptor: storageDescriptor(table) });
    return { writer, connection };
  }

  private project(): Promise<string> {
    this.projectId ??= this.options.projectId ? Promise.resolve(this.options.projectId) : this.client.getClient().getProjectId();
    return this.projectId;
  }

  private async failure(table: TableDef, rows: number, code: number | undefined, error: unknown, retries: number): Promise<StorageWriteError> {
    const project = await this.project().catch(() => '?');
    const status = code === undefined ? 'no status' : `${STATUS_NAMES[code] ?? 'status'} (${code})`;
    const after = retries > 0 ? ` after ${retries} retr${retries === 1 ? 'y' : 'ies'}` : '';
    return new StorageWriteError(table.name, code, `Storage Write API: appending ${rows} row(s) to ${project}.${this.options.dataset}.${table.name} failed${after}: ${status}: ${truncate(detailOf(error))}`);
  }
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The server's message without the client's "14 UNAVAILABLE: " prefix; never the call's metadata. */
function detailOf(error: unknown): string {
  const details = (error as { details?: unknown } | null)?.details;
  if (typeof details === 'string' && details !== '') return details;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message.replace(/^\d+ [A-Z_]+: /, '') : String(error);
}

function rowErrorCode(code: unknown): string {
  if (code === 1 || code === 'FIELDS_ERROR') return 'FIELDS_ERROR';
  return 'ROW_ERROR';
}

function truncate(text: string): string {
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
}
