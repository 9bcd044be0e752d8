import type { Table } from '@google-cloud/bigquery';
import pLimit from 'p-limit';
import { WarehouseRowsRejectedError, type RejectedRow } from '../warehouse-errors';
import type { StreamingRow } from './bigquery-values';

/**
 * Streaming inserts (tabledata.insertAll) with the limits BigQuery documents for the legacy
 * streaming API: at most 500 rows per request is the recommended maximum, and a request must stay
 * under 10 MB — we keep well under (5 MB by default).
 *
 * Partial failures: the response's `insertErrors` name rows by index. Rows refused as `invalid`
 * will be refused again, so they are reported (WarehouseRowsRejectedError) and not retried. Every
 * other reason (`backendError`, `internalError`, `timeout`, `stopped` — a valid row held back by
 * an invalid one) is retried, and only those rows, up to `maxRowRetries` times with exponential
 * backoff; after that the call throws, so the caller's message is redelivered.
 *
 * `skipInvalidRows: true`: one bad row does not hold back the 499 good ones of its request.
 * `partialRetries: 0` turns off the client's own partial retry, which would resend `invalid` rows
 * immediately and without backoff.
 */
export interface StreamingLimits {
  maxRowsPerRequest: number;
  maxBytesPerRequest: number;
  /** Requests in flight at once per call. */
  concurrency: number;
  /** Retries of the retryable rows of a request. */
  maxRowRetries: number;
  /** First retry delay; doubled for each further retry. */
  retryBaseDelayMs: number;
}

export const DEFAULT_STREAMING_LIMITS: StreamingLimits = {
  maxRowsPerRequest: 500,
  maxBytesPerRequest: 5_000_000,
  concurrency: 4,
  maxRowRetries: 3,
  retryBaseDelayMs: 250,
};

/** Per-request overhead allowance (the JSON envelope around the rows). */
const REQUEST_OVERHEAD_BYTES = 1_000;

/** Splits rows into requests of at most `maxRows` rows and `maxBytes` bytes of JSON. */
export function chunkRows(rows: readonly StreamingRow[], maxRows: number, maxBytes: number): StreamingRow[][] {
  const chunks: StreamingRow[][] = [];
  let current: StreamingRow[] = [];
  let bytes = REQUEST_OVERHEAD_BYTES;
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (current.length > 0 && (current.length >= maxRows || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = REQUEST_OVERHEAD_BYTES;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

interface InsertError {
  index?: number | null;
  errors?: Array<{ reason?: string | null; message?: string | null }> | null;
}

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Streams `rows` into `table`. Resolves with the number of rows stored; throws
 * WarehouseRowsRejectedError when some rows were refused as invalid (all others stored), or the
 * last error when retryable failures outlast the retries.
 */
export async function streamRows(table: Table, rows: readonly StreamingRow[], limits: StreamingLimits, sleep: Sleep = realSleep): Promise<number> {
  const limit = pLimit(limits.concurrency);
  const chunks = chunkRows(rows, limits.maxRowsPerRequest, limits.maxBytesPerRequest);
  const results = await Promise.all(chunks.map((chunk) => limit(() => streamChunk(table, chunk, limits, sleep))));
  const rejected = results.flatMap((r) => r.rejected);
  const stored = rows.length - rejected.length;
  if (rejected.length > 0) throw new WarehouseRowsRejectedError(table.id ?? 'table', rejected, stored);
  return stored;
}

async function streamChunk(table: Table, chunk: readonly StreamingRow[], limits: StreamingLimits, sleep: Sleep): Promise<{ rejected: RejectedRow[] }> {
  let pending = chunk;
  const rejected: RejectedRow[] = [];
  for (let attempt = 0; ; attempt++) {
    const insertErrors = await insertOnce(table, pending);
    const retry: StreamingRow[] = [];
    for (const failure of insertErrors) {
      const row = typeof failure.index === 'number' ? pending[failure.index] : undefined;
      if (!row) throw new Error(`insertAll reported an error for a row it was not sent (index ${String(failure.index)})`);
      const errors = failure.errors ?? [];
      const invalid = errors.find((e) => e.reason === 'invalid');
      if (invalid) rejected.push({ key: row.insertId, reason: `${invalid.reason}: ${invalid.message ?? ''}`.trim() });
      else retry.push(row);
    }
    if (retry.length === 0) return { rejected };
    if (attempt >= limits.maxRowRetries) {
      const reasons = [...new Set(insertErrors.flatMap((f) => (f.errors ?? []).map((e) => e.reason ?? '?')))].join(', ');
      throw new Error(`insertAll into ${table.id ?? 'table'}: ${retry.length} row(s) still failing after ${limits.maxRowRetries} retries (${reasons})`);
    }
    await sleep(limits.retryBaseDelayMs * 2 ** attempt);
    pending = retry;
  }
}

/** One insertAll request; returns its insertErrors (empty on full success). */
async function insertOnce(table: Table, rows: readonly StreamingRow[]): Promise<InsertError[]> {
  try {
    const [response] = await table.insert(rows, { raw: true, skipInvalidRows: true, partialRetries: 0 });
    return ((response as { insertErrors?: InsertError[] }).insertErrors ?? []);
  } catch (error) {
    // The client turns insertErrors into a PartialFailureError carrying the response.
    const response = (error as { response?: { insertErrors?: InsertError[] } }).response;
    if ((error as { name?: string }).name === 'PartialFailureError' && response?.insertErrors) return response.insertErrors;
    throw error;
  }
}
