/**
 * Errors that cross the warehouse port. Anything an adapter throws that is *not* one of these is
 * treated by callers as transient: ingest lets Pub/Sub redeliver the message.
 */

/** One row the warehouse refused for a reason that will not change on retry. */
export interface RejectedRow {
  /** The row's key: event_id for `metric_events`, dead_letter_id for `dead_letters`. */
  readonly key: string;
  /** What the warehouse said, as it said it (e.g. BigQuery's insertErrors reason and message). */
  readonly reason: string;
}

/**
 * Some rows of an insert were refused permanently (BigQuery insertErrors with reason `invalid`);
 * every other row of the call was stored. Retrying the refused rows cannot help, so ingest
 * dead-letters them instead of looping (docs/INGEST.md).
 */
export class WarehouseRowsRejectedError extends Error {
  constructor(
    readonly table: string,
    readonly rejected: readonly RejectedRow[],
    /** Rows of the same call that were stored (for the caller's counts). */
    readonly storedRows: number,
  ) {
    super(`${table}: the warehouse refused ${rejected.length} row(s); first: ${rejected[0]?.key ?? '?'}: ${rejected[0]?.reason ?? '?'}`);
    this.name = 'WarehouseRowsRejectedError';
  }
}

export function isRowsRejected(error: unknown): error is WarehouseRowsRejectedError {
  return error instanceof WarehouseRowsRejectedError;
}

/**
 * The warehouse refused the data of a whole call because of some row in it, without saying which
 * (DuckDB fails the one INSERT … SELECT: "Malformed JSON …", "Conversion Error …"). Nothing of
 * the call was stored. Retrying the same rows cannot help; calling again with fewer rows finds the
 * bad one: ingest bisects the message's rows and dead-letters only the rows refused alone
 * (`warehouse_rejected`, docs/INGEST.md).
 */
export class WarehouseDataError extends Error {
  constructor(
    readonly table: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${table}: the warehouse refused the data: ${message}`, options);
    this.name = 'WarehouseDataError';
  }
}

export function isWarehouseDataError(error: unknown): error is WarehouseDataError {
  return error instanceof WarehouseDataError;
}
