import type { MaintenanceWindow } from './window';

/**
 * Where maintenance windows are kept. One adapter: the warehouse table `maintenance_windows`
 * (warehouse-maintenance-store.ts) — DuckDB for the CLI and the local stack, BigQuery in
 * production, where the readers (the SLO job, the alert evaluator, the status page) already hold
 * the warehouse. Windows change a few times a month and are read whole; there is no
 * compare-and-set to need Firestore for (the alert store needs it for overlapping runs).
 *
 * Contract: `save` stores the window under its id (replacing one with the same id); `list`
 * resolves to every stored window, oldest first; `remove` deletes the window and resolves to it,
 * or to undefined when no window has that id (nothing changed).
 */
export interface MaintenanceStore {
  save(window: MaintenanceWindow): Promise<void>;
  list(): Promise<MaintenanceWindow[]>;
  remove(id: string): Promise<MaintenanceWindow | undefined>;
}
