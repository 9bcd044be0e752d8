import { parseArgs } from 'node:util';
import { readJobState, ROLLUP_JOB } from '../../sql/job-state';
import { formatSloStatuses } from '../../aggregator/slo-format';
import { computeSloStatuses } from '../../aggregator/slo-job';
import { buildMonthlyReport } from '../../aggregator/slo-report';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../aggregator/slo-report-format';
import { monthRangeMs } from '../../shared/time-windows';
import type { LocalApp } from '../../app/local';
import { appOf, AT_OPTION, formatHelp, JSON_OPTION, type Command, type CommandIo } from '../command';
import { nowFrom, usageOnError, UsageError, withUsage, withWarehouse } from './aggregate';

/** Rollups more than this behind "now" make `obs slo status` say the numbers are stale. */
const STALE_AFTER_MS = 5 * 60_000;

async function status(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values } = usageOnError(() => parseArgs({ args, options: { at: { type: 'string' }, json: { type: 'boolean' } } }));
  const nowMs = nowFrom(values.at, app.clock);
  const { statuses, watermarkMs } = await withWarehouse(app, async (warehouse) => ({
    statuses: await computeSloStatuses(warehouse, nowMs),
    watermarkMs: (await readJobState(warehouse, ROLLUP_JOB)).watermarkMs,
  }));
  if (values.json) {
    io.out(JSON.stringify({ nowMs, rollupWatermarkMs: watermarkMs, statuses }, null, 2));
    return 0;
  }
  const lines = [formatSloStatuses(statuses)];
  if (watermarkMs === null) lines.push('Note: the rollup job has never run here; run `obs aggregate` first.');
  else if (watermarkMs < nowMs - STALE_AFTER_MS) lines.push(`Note: rollups only cover events ingested up to ${new Date(watermarkMs).toISOString()}; run \`obs aggregate\` for fresh numbers.`);
  io.out(lines.join('\n'));
  return 0;
}

async function report(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values } = usageOnError(() => parseArgs({ args, options: { month: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' } } }));
  if (values.month === undefined) throw new UsageError('--month YYYY-MM is required');
  try {
    monthRangeMs(values.month);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const format = (values.json ? 'json' : (values.format ?? 'md')) as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const month = values.month;
  const built = await withWarehouse(app, (warehouse) => buildMonthlyReport(warehouse, month));
  io.out(renderReport(built, format));
  return 0;
}

/** `obs slo status [--at ISO] [--json]` and `obs slo report --month YYYY-MM [--format md|csv|json]`. */
export const sloCommand: Command = {
  name: 'slo',
  usage: 'obs slo status [--at ISO] [--json] | obs slo report --month YYYY-MM [--format md|csv|json]',
  summary: 'SLO attainment, error budgets and burn rates; the monthly compliance report',
  help: (path) => {
    const statusHelp = formatHelp({
      usage: 'obs slo status [--at ISO] [--json]',
      description: 'Every SLO: attainment over its rolling window, error budget left, burn rates, from the rollups (run `obs aggregate` first for fresh numbers).',
      options: [AT_OPTION, JSON_OPTION],
      examples: ['obs slo status', 'obs slo status --json'],
    });
    const reportHelp = formatHelp({
      usage: 'obs slo report --month YYYY-MM [--format md|csv|json] [--json]',
      description: 'The monthly compliance report of every SLO for one calendar month (UTC).',
      options: [
        { flag: '--month YYYY-MM', text: 'the month (required)' },
        { flag: '--format md|csv|json', text: 'output format', default: 'md' },
        { flag: '--json', text: 'the same as --format json' },
      ],
      examples: ['obs slo report --month 2026-11 --format csv'],
    });
    if (path[0] === 'status') return statusHelp;
    if (path[0] === 'report') return reportHelp;
    return `obs slo status|report — SLO attainment, error budgets and burn rates; the monthly report.\n\n${statusHelp}\n\n${reportHelp}`;
  },
  run(args, io, context) {
    return withUsage(this, io, async () => {
      const [sub, ...rest] = args;
      if (sub === 'status') return status(rest, io, appOf(context));
      if (sub === 'report') return report(rest, io, appOf(context));
      throw new UsageError(sub === undefined ? 'a subcommand is required (status or report)' : `unknown subcommand "${sub}"`);
    });
  },
};
