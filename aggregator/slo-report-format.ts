import type { IncidentMonthSummary, IncidentTimes } from '../incidents/incident-metrics';
import type { DayResult, MonthlyReport, SloMonthResult } from './slo-report';

/**
 * Renderings of the monthly report: Markdown (for the monthly review), CSV (one row per SLO, for
 * spreadsheets) and JSON (everything, including every day). Pure string functions.
 */
export type ReportFormat = 'md' | 'csv' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json'];

const pct = (v: number | null, digits = 3) => (v === null ? 'no data' : `${(v * 100).toFixed(digits)}%`);
const count = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const met = (s: SloMonthResult) => (s.met === null ? 'no data' : s.met ? 'yes' : '**no**');

function budget(s: SloMonthResult): string {
  if (s.budgetUsed === null) return 'no data';
  const minutes = s.budgetMinutes !== null && s.budgetMinutesUsed !== null ? ` (${s.budgetMinutesUsed.toFixed(1)} of ${s.budgetMinutes.toFixed(1)} min)` : '';
  return `${pct(s.budgetUsed, 1)}${minutes}`;
}

const dayText = (d: DayResult) => `${d.day}: ${pct(d.attainment, 2)}, ${count(d.badEvents)} bad (${pct(d.budgetShare, 1)} of budget)`;

export function reportMarkdown(report: MonthlyReport): string {
  const lines = [
    `# SLO compliance report — ${report.month}`,
    '',
    `Calendar month ${new Date(report.fromMs).toISOString().slice(0, 10)} to ${new Date(report.toMs - 1).toISOString().slice(0, 10)} (UTC), from the daily rollups.`,
    'Budget used is the share of the month\'s error budget spent: (bad events) / ((1 − objective) × events); over 100% means the objective was missed.',
    '',
    '| SLO | objective | attainment | met | budget used | bad / allowed events | days with data |',
    '|---|---:|---:|:---:|---:|---:|---:|',
  ];
  for (const s of report.slos) {
    lines.push(`| ${s.name} (\`${s.sloId}\`) | ${pct(s.objective)} | ${pct(s.attainment)} | ${met(s)} | ${budget(s)} | ${count(s.badEvents)} / ${s.budgetAllowed.toFixed(1)} | ${s.daysWithData} |`);
  }
  lines.push('', '## Worst days', '');
  for (const s of report.slos) {
    lines.push(`- **${s.name}**: ${s.worstDays.length === 0 ? (s.totalEvents === 0 ? 'no data' : 'no bad events') : s.worstDays.map(dayText).join('; ')}`);
  }
  if (report.excludedWindows && report.excludedWindows.length > 0) {
    // Maintenance windows excluded from budgets (issue #16): their events are in none of the figures above.
    lines.push('', '## Maintenance windows excluded from budgets', '', 'Their minutes are left out of the module\'s SLOs: the events in them count neither as good nor as bad, and an availability SLO\'s budget in minutes is the month\'s minutes less these.', '');
    for (const w of report.excludedWindows) lines.push(`- ${w.module}: ${w.title} — ${w.startsAt} to ${w.endsAt} (${w.minutes} min in the month; \`${w.id}\`)`);
  }
  if (report.incidents) lines.push('', ...incidentLines(report.incidents));
  return lines.join('\n') + '\n';
}

/** A duration for people: 42 s, 12.5 min, 3.2 h; "—" for none. */
function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** The "Incidents" section (issue #16): MTTA and MTTR per tier and per module. */
function incidentLines(summary: IncidentMonthSummary): string[] {
  const lines = ['## Incidents: time to acknowledge and to resolve', ''];
  if (summary.incidents === 0) return [...lines, 'No incident opened in the month.'];
  lines.push(
    `${summary.incidents} incident(s) opened in the month; MTTA ${duration(summary.mttaMs)} (${summary.acknowledged} acknowledged), MTTR ${duration(summary.mttrMs)} (${summary.resolved} resolved).`,
    'MTTA: mean time from opened to the first acknowledgement (PagerDuty or `obs incidents ack`); MTTR: from opened to resolved.',
    '',
    '| | incidents | acknowledged | MTTA | resolved | MTTR |',
    '|---|---:|---:|---:|---:|---:|',
  );
  const row = (label: string, t: IncidentTimes) => `| ${label} | ${t.incidents} | ${t.acknowledged} | ${duration(t.mttaMs)} | ${t.resolved} | ${duration(t.mttrMs)} |`;
  for (const t of summary.byTier) lines.push(row(`tier ${t.tier}`, t));
  for (const m of summary.byModule) lines.push(row(`module ${m.module}`, m));
  return lines;
}

const CSV_COLUMNS = [
  'month', 'slo_id', 'name', 'category', 'objective', 'good_events', 'total_events', 'bad_events', 'attainment', 'met',
  'budget_allowed', 'budget_used', 'budget_minutes', 'budget_minutes_used', 'days_with_data', 'worst_days',
] as const;

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV: a header, then one row per SLO; empty fields mean "no data". */
export function reportCsv(report: MonthlyReport): string {
  const rows = report.slos.map((s) =>
    [
      report.month, s.sloId, s.name, s.category, s.objective, s.goodEvents, s.totalEvents, s.badEvents, s.attainment, s.met,
      s.budgetAllowed, s.budgetUsed, s.budgetMinutes, s.budgetMinutesUsed, s.daysWithData,
      s.worstDays.map((d) => `${d.day} ${d.attainment === null ? '' : d.attainment.toFixed(6)} ${d.badEvents}`).join('; '),
    ].map(csvField).join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

export function reportJson(report: MonthlyReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export function renderReport(report: MonthlyReport, format: ReportFormat): string {
  return format === 'md' ? reportMarkdown(report) : format === 'csv' ? reportCsv(report) : reportJson(report);
}
