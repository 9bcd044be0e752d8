import type { SloStatus } from './slo-status';
import { BURN_WINDOW_LABELS } from './slo-status';

/** The text table of `obs slo status` and `obs aggregate`. Pure. */
const pct = (v: number | null, digits = 3) => (v === null ? 'no data' : `${(v * 100).toFixed(digits)}%`);
const burn = (v: number | null) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(2));

function budgetLeft(s: SloStatus): string {
  if (s.budget.remaining === null) return 'no data';
  const minutes = s.budget.minutesRemaining !== null ? ` (${s.budget.minutesRemaining.toFixed(1)} min)` : '';
  return `${pct(s.budget.remaining, 1)}${minutes}`;
}

function exhaustion(s: SloStatus): string {
  if (s.exhaustionHours === null) return '—';
  if (s.exhaustionHours === 0) return 'spent';
  return s.exhaustionHours >= 48 ? `${(s.exhaustionHours / 24).toFixed(1)} d` : `${s.exhaustionHours.toFixed(1)} h`;
}

export function formatSloStatuses(statuses: readonly SloStatus[]): string {
  if (statuses.length === 0) return 'No SLOs in the catalogue.';
  const first = statuses[0] as SloStatus;
  const header = ['SLO', 'OBJECTIVE', 'ATTAINMENT', 'EVENTS', 'BUDGET LEFT', ...BURN_WINDOW_LABELS.map((w) => `BURN ${w}`), 'EXHAUSTED IN', 'STATUS'];
  const calendars = statuses.filter((s) => s.window.calendar !== undefined);
  const rows = statuses.map((s) => [
    s.sloId,
    pct(s.objective),
    pct(s.attainment),
    String(Math.round(s.totalEvents)),
    budgetLeft(s),
    ...BURN_WINDOW_LABELS.map((w) => burn(s.burnRates[w])),
    exhaustion(s),
    s.status,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  const table = [header, ...rows].map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd());
  return [
    `SLO status as of ${new Date(first.computedAtMs).toISOString()} — rolling ${first.windowDays}-day window and burn-rate windows ending ${new Date(first.endMs).toISOString()}`,
    ...table,
    ...calendars.map((s) => `${s.sloId}: calendar month in ${s.window.calendar?.timeZone ?? ''} since ${new Date(s.window.startMs).toISOString()} (a ${Number(s.window.lengthDays.toFixed(3))}-day month)`),
    'Burn rate: bad fraction ÷ (1 − objective); 1 spends the budget in exactly one window. "Exhausted in" projects the 1h burn rate.',
  ].join('\n');
}
