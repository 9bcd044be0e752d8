import { randomBytes } from 'node:crypto';
import { isModuleId, MODULE_IDS, type ModuleId } from '../shared/modules';
import type { MaintenanceOccurrence } from './occurrence';
import { checkRecurrence, expandRecurrence, type Recurrence } from './recurrence';

/**
 * A maintenance window of one module: one-off (`recurrence` null: it covers `[startsAtMs,
 * endsAtMs)`) or recurring (`recurrence` set: occurrences start from `startsAtMs` on, and none
 * starts at or after `endsAtMs` when that is set). During an occurrence the module's alerts are
 * muted like a silence (maintenance-muter.ts); with `excludeFromBudget` its minutes are left out
 * of the module's SLOs (aggregator/slo-exclusions.ts). The title is public: the status page
 * shows it.
 */
export interface MaintenanceWindow {
  readonly id: string;
  readonly module: ModuleId;
  readonly title: string;
  readonly excludeFromBudget: boolean;
  readonly startsAtMs: number;
  /** One-off: the end (exclusive). Recurring: no occurrence starts at or after it; null = no end. */
  readonly endsAtMs: number | null;
  readonly recurrence: Recurrence | null;
  readonly createdAtMs: number;
  readonly createdBy: string;
}

export interface NewMaintenanceWindow {
  readonly module: string;
  readonly title: string;
  readonly excludeFromBudget: boolean;
  readonly startsAtMs: number;
  readonly endsAtMs: number | null;
  readonly recurrence: Recurrence | null;
  readonly createdBy: string;
}

/** The longest title: it is one line on the status page. */
export const MAX_TITLE_LENGTH = 200;

/** `mw-` and 8 hex digits: short enough to type into `obs maintenance remove`. */
export const newMaintenanceId = (): string => `mw-${randomBytes(4).toString('hex')}`;

/** Builds a window, checking what a person would get wrong; throws with a message meant for them. */
export function createMaintenanceWindow(input: NewMaintenanceWindow, nowMs: number, id: string = newMaintenanceId()): MaintenanceWindow {
  if (!isModuleId(input.module)) throw new Error(`--module: ${JSON.stringify(input.module)} is not a module; use one of ${MODULE_IDS.join(', ')}`);
  const title = input.title.trim();
  if (title === '') throw new Error('--title is required: what the maintenance is (it is shown on the public status page)');
  if (title.length > MAX_TITLE_LENGTH) throw new Error(`--title is ${title.length} characters; at most ${MAX_TITLE_LENGTH}`);
  if (/[\u0000-\u001f\u007f]/.test(title)) throw new Error('--title must be one line of text (no control characters or line breaks)');
  if (!Number.isFinite(input.startsAtMs)) throw new Error('the window needs a start');
  if (input.recurrence === null) {
    if (input.endsAtMs === null) throw new Error('a one-off window needs --end (or use --every for a recurring one)');
    if (!(input.endsAtMs > input.startsAtMs)) throw new Error(`--end (${iso(input.endsAtMs)}) must be after --start (${iso(input.startsAtMs)})`);
  } else {
    checkRecurrence(input.recurrence);
    if (input.endsAtMs !== null && !(input.endsAtMs > input.startsAtMs)) throw new Error(`--until (${iso(input.endsAtMs)}) must be after the first day it applies (${iso(input.startsAtMs)})`);
  }
  return {
    id,
    module: input.module,
    title,
    excludeFromBudget: input.excludeFromBudget,
    startsAtMs: input.startsAtMs,
    endsAtMs: input.endsAtMs,
    recurrence: input.recurrence,
    createdAtMs: nowMs,
    createdBy: input.createdBy,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The window's occurrences overlapping `[fromMs, toMs)`, ascending by start. */
export function occurrencesOf(window: MaintenanceWindow, fromMs: number, toMs: number): MaintenanceOccurrence[] {
  const spans =
    window.recurrence === null
      ? window.endsAtMs !== null && window.startsAtMs < toMs && window.endsAtMs > fromMs
        ? [{ startMs: window.startsAtMs, endMs: window.endsAtMs }]
        : []
      : expandRecurrence(window.recurrence, { fromMs, toMs }, { fromMs: window.startsAtMs, untilMs: window.endsAtMs });
  return spans.map(({ startMs, endMs }) => ({
    id: `${window.id}@${iso(startMs)}`,
    module: window.module,
    title: window.title,
    startsAt: iso(startMs),
    endsAt: iso(endMs),
    excludeFromBudget: window.excludeFromBudget,
  }));
}

/** Every occurrence of `windows` overlapping `[fromMs, toMs)`, sorted by start, then module, then id. */
export function expandWindows(windows: readonly MaintenanceWindow[], fromMs: number, toMs: number): MaintenanceOccurrence[] {
  return windows
    .flatMap((w) => occurrencesOf(w, fromMs, toMs))
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.module.localeCompare(b.module) || a.id.localeCompare(b.id));
}

/** When the window is in effect next, as of `nowMs`: the occurrence in progress or the next one; undefined when none is left. */
export function currentOrNextOccurrence(window: MaintenanceWindow, nowMs: number): MaintenanceOccurrence | undefined {
  if (window.recurrence === null) return window.endsAtMs !== null && window.endsAtMs > nowMs ? occurrencesOf(window, nowMs, window.endsAtMs)[0] : undefined;
  // A recurring window's next occurrence is at most a week (and a daylight-saving hour) after it applies.
  return occurrencesOf(window, nowMs, Math.max(nowMs, window.startsAtMs) + 8 * 86_400_000)[0];
}
