import type { Sleep } from './bigquery-streaming';

/**
 * Mutating DML (UPDATE, DELETE, MERGE) against one table, retried when BigQuery refuses it for
 * concurrency. BigQuery runs at most 2 mutating DML statements per table at once, queues up to 20
 * more, and refuses the rest (https://cloud.google.com/bigquery/docs/data-manipulation-language,
 * "UPDATE, DELETE, MERGE DML concurrency"); two that touch the same partitions conflict, and one
 * of them fails. Here the rollup, SLO and alert jobs all MERGE into `job_state` and may run at once.
 *
 * The refusals, as BigQuery words them (HTTP 400, reason `invalidQuery` / `resourcesExceeded`):
 *   - "Could not serialize access to table P:D.T due to concurrent update"
 *   - "Transaction is aborted due to concurrent update against table P:D.T"
 *   - "Resources exceeded during query execution: Too many DML statements outstanding against
 *     table P:D.T, limit is 20"
 * A DML statement is atomic — a refused one changed nothing — so running it again is safe.
 *
 * Backoff: exponential with full jitter (a uniformly random wait in [0, min(cap, base × 2^n)]),
 * so jobs that collided do not collide again in step ("Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015). Bounded: after `maxRetries` the call fails with
 * {@link ConcurrentUpdateConflictError}, naming the table.
 */
export interface DmlRetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The cap of the first wait; doubled per retry. */
  baseDelayMs: number;
  /** No wait is longer than this. */
  maxDelayMs: number;
}

/**
 * Up to 6 retries, at most 23.5 s of waiting in all (caps 0.5 + 1 + 2 + 4 + 8 + 8 s; half that on
 * average): the scheduled jobs run every minute in functions with a 60 s timeout, so the retries
 * must end, with a clear error, well before the function is killed.
 */
export const DEFAULT_DML_RETRY: DmlRetryPolicy = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 8_000 };

export type ConflictKind = 'concurrent update' | 'DML queue full';

const CONFLICTS: ReadonlyArray<[RegExp, ConflictKind]> = [
  [/could not serialize access to table .* due to concurrent update/i, 'concurrent update'],
  [/transaction is aborted due to concurrent update/i, 'concurrent update'],
  [/too many DML statements outstanding against table/i, 'DML queue full'],
];

/** The messages of a client error: its own and each of `errors[]` (the REST error's list). */
function messagesOf(error: unknown): string[] {
  const e = error as { message?: unknown; errors?: Array<{ message?: unknown }> } | null;
  if (e === null || typeof e !== 'object') return [String(error)];
  return [e.message, ...listedMessages(e)].filter((m): m is string => typeof m === 'string');
}

function listedMessages(e: { errors?: Array<{ message?: unknown }> }): unknown[] {
  return Array.isArray(e.errors) ? e.errors.map((x) => x?.message) : [];
}

/**
 * What BigQuery said: the first message of the REST error's `errors[]` — the client's own message
 * is a generic "Multiple errors occurred…" when BigQuery lists them — else the error's own.
 */
export function bigQueryMessage(error: unknown): string {
  const e = error as { message?: unknown; errors?: Array<{ message?: unknown }> } | null;
  if (e === null || typeof e !== 'object') return String(error);
  const listed = listedMessages(e).find((m): m is string => typeof m === 'string');
  return listed ?? (typeof e.message === 'string' ? e.message : String(error));
}

/** Which concurrency refusal `error` is, or undefined for any other error (not retried here). */
export function conflictKind(error: unknown): ConflictKind | undefined {
  for (const message of messagesOf(error)) {
    for (const [pattern, kind] of CONFLICTS) if (pattern.test(message)) return kind;
  }
  return undefined;
}

export class ConcurrentUpdateConflictError extends Error {
  constructor(
    readonly table: string,
    readonly attempts: number,
    readonly kind: ConflictKind,
    options: { cause: unknown },
  ) {
    super(
      `BigQuery DML on table ${table} failed: a concurrent-update conflict (${kind}) on each of ${attempts} attempts; ` +
        'other jobs were modifying the same table, and this statement changed nothing.',
      options,
    );
    this.name = 'ConcurrentUpdateConflictError';
  }
}

/**
 * Runs `statement` (one DML job against `table`), again after a concurrency refusal, with backoff.
 * Any other error is thrown at once. `table` (`dataset.table`) names the target in the final
 * error; when unknown, the table BigQuery's message names. `random` is [0, 1) (fixed in tests).
 */
export async function withDmlRetry<T>(table: string | undefined, statement: () => Promise<T>, policy: DmlRetryPolicy, sleep: Sleep, random: () => number = Math.random): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      const kind = conflictKind(error);
      if (kind === undefined) throw error;
      if (attempt >= policy.maxRetries) throw new ConcurrentUpdateConflictError(table ?? tableInMessage(error) ?? '(unnamed)', attempt + 1, kind, { cause: error });
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      await sleep(Math.floor(random() * cap));
    }
  }
}

/** The `dataset.table` a BigQuery refusal names (`project:dataset.table`), if any. */
export function tableInMessage(error: unknown): string | undefined {
  for (const message of messagesOf(error)) {
    const match = /against table ([\w.:-]+?)(?:,|\.?\s|\.?$)|access to table ([\w.:-]+?) due to/i.exec(message);
    const name = match?.[1] ?? match?.[2];
    if (name) return name.replace(/^[^:]*:/, '');
  }
  return undefined;
}

/** The table a DML text writes (`UPDATE {{t}}`, `MERGE {{t}}`, `DELETE FROM {{t}}`, `INSERT INTO {{t}}`), if it is one. */
export function dmlTarget(text: string): string | undefined {
  const match = /^\s*(?:UPDATE|MERGE(?:\s+INTO)?|DELETE(?:\s+FROM)?|INSERT(?:\s+INTO)?)\s+\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/i.exec(text);
  return match?.[1];
}
