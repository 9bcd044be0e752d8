import type { WriteOutcomes } from '../health/component-probes';
import type { Warehouse } from '../sql/warehouse';

/** A warehouse whose writes are watched, and what was seen of them (for the health probe). */
export interface WatchedWarehouse {
  readonly warehouse: Warehouse;
  outcomes(): WriteOutcomes;
}

/**
 * Wraps `inner` so every write (insertEvents, insertDeadLetters, upsert, execute) records whether
 * it succeeded; a failure keeps its reason, the error message with its causes. Reads pass through.
 * close() closes `inner`.
 */
export function watchWrites(inner: Warehouse, clock: () => number = Date.now): WatchedWarehouse {
  let failuresSinceSuccess = 0;
  let lastFailure: { atMs: number; reason: string } | undefined;
  let lastSuccessMs: number | undefined;
  const watch = async <T>(work: Promise<T>): Promise<T> => {
    try {
      const result = await work;
      failuresSinceSuccess = 0;
      lastSuccessMs = clock();
      return result;
    } catch (error) {
      failuresSinceSuccess++;
      lastFailure = { atMs: clock(), reason: errorWithCauses(error) };
      throw error;
    }
  };
  const warehouse: Warehouse = {
    dialect: inner.dialect,
    createSchema: () => inner.createSchema(),
    insertEvents: (rows) => watch(inner.insertEvents(rows)),
    insertDeadLetters: (rows) => watch(inner.insertDeadLetters(rows)),
    query: (query, params) => inner.query(query, params),
    execute: (query, params) => watch(inner.execute(query, params)),
    upsert: (table, rows) => watch(inner.upsert(table, rows)),
    close: () => inner.close(),
  };
  return {
    warehouse,
    outcomes: () => ({ failuresSinceSuccess, ...(lastFailure ? { lastFailure: { ...lastFailure } } : {}), ...(lastSuccessMs === undefined ? {} : { lastSuccessMs }) }),
  };
}

/** "message (cause: message (cause: …))", one line, at most 500 characters. */
export function errorWithCauses(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    // Duck-typed, not instanceof Error: errors from a native addon (DuckDB) or another realm
    // (a Jest sandbox) are not instances of this realm's Error.
    const message = typeof current === 'object' ? (current as { message?: unknown }).message : undefined;
    const text = typeof message === 'string' && message !== '' ? message : describeValue(current);
    parts.push(text.replace(/\s+/g, ' ').trim());
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return parts.join(' (cause: ').concat(')'.repeat(Math.max(0, parts.length - 1))).slice(0, 500);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? 'an error without a message';
  } catch {
    return 'an error that could not be described';
  }
}
