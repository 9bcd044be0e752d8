import type { MaintenanceStore } from './maintenance-store';
import type { MaintenanceSource } from './occurrence';
import { expandWindows, type MaintenanceWindow } from './window';

export interface SourceOptions {
  /**
   * Reuse the store's windows for this long (default 0: read on every call). Production sets it
   * where a read costs a BigQuery query (the streaming alerts call per notification run).
   */
  readonly cacheMs?: number;
  /** For the cache's age; default Date.now. */
  readonly now?: () => number;
}

/**
 * The {@link MaintenanceSource} over a store: the stored windows, recurring ones expanded into
 * occurrences for the asked range. A failed read rejects (and is not cached).
 */
export function storeMaintenanceSource(store: MaintenanceStore, options: SourceOptions = {}): MaintenanceSource {
  const cacheMs = options.cacheMs ?? 0;
  const now = options.now ?? Date.now;
  let cached: { atMs: number; windows: Promise<MaintenanceWindow[]> } | undefined;
  const windows = (): Promise<MaintenanceWindow[]> => {
    if (cached && cacheMs > 0 && now() - cached.atMs < cacheMs) return cached.windows;
    const read = store.list();
    cached = { atMs: now(), windows: read };
    read.catch(() => {
      if (cached?.windows === read) cached = undefined;
    });
    return read;
  };
  return {
    async occurrences(fromMs, toMs) {
      return expandWindows(await windows(), fromMs, toMs);
    },
  };
}
