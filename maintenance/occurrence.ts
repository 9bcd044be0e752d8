import type { ModuleId } from '../shared/modules';

/**
 * One occurrence of a maintenance window: a one-off window is one occurrence; a recurring window
 * is expanded into one occurrence per repetition (recurrence.ts). Times are ISO-8601 UTC, the
 * interval is half-open: the window covers `startsAt ≤ t < endsAt`.
 *
 * `id` is `<window id>@<startsAt>`, unique per occurrence and stable across reads (the window id
 * alone is what `obs maintenance remove` takes). `title` is what a person typed with
 * `obs maintenance add --title`; it is shown on the public status page.
 */
export interface MaintenanceOccurrence {
  readonly id: string;
  readonly module: ModuleId;
  readonly title: string;
  readonly startsAt: string;
  readonly endsAt: string;
  /** The occurrence's minutes are left out of the module's SLO attainment and error budget. */
  readonly excludeFromBudget: boolean;
}

/**
 * Where the occurrences come from (the maintenance store, recurring windows expanded).
 * `occurrences(fromMs, toMs)` resolves to every occurrence overlapping `[fromMs, toMs)`, of every
 * module, sorted by start then module; it throws when the store cannot be read.
 */
export interface MaintenanceSource {
  occurrences(fromMs: number, toMs: number): Promise<MaintenanceOccurrence[]>;
}

/** A source with no windows (tests, and assemblies without a store). */
export const NO_MAINTENANCE: MaintenanceSource = { occurrences: () => Promise.resolve([]) };

/** Whether the occurrence covers the instant (`startsAt ≤ now < endsAt`). */
export function isActiveAt(occurrence: MaintenanceOccurrence, nowMs: number): boolean {
  return Date.parse(occurrence.startsAt) <= nowMs && nowMs < Date.parse(occurrence.endsAt);
}

/**
 * The occurrences of `module` in progress at `nowMs` (pure), earliest start first; empty when the
 * module is not under maintenance.
 */
export function activeMaintenance(occurrences: readonly MaintenanceOccurrence[], nowMs: number, module: ModuleId): MaintenanceOccurrence[] {
  return occurrences.filter((o) => o.module === module && isActiveAt(o, nowMs)).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}
