import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, exportSlos, isExportFormat } from '../../slo-as-code/export-formats';
import { activeSlos } from '../../shared/slo-catalogue';
import { loadSloFile, SloFileError } from '../../slo-as-code/slo-file';
import { readJobState, ROLLUP_JOB } from '../../sql/job-state';
import { formatSloStatuses } from '../../aggregator/slo-format';
import { computeSloStatuses } from '../../aggregator/slo-job';
import { buildMonthlyReport } from '../../aggregator/slo-report';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../aggregator/slo-report-format';
import { monthRangeMs } from '../../shared/time-windows';
import { gateCommand, gateHelp } from './slo-gate';
import type { LocalApp } from '../../app/local';
import { appOf, AT_OPTION, CommandError, EXIT, formatHelp, JSON_OPTION, type Command, type CommandIo } from '../command';
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

/** `obs slo export --format F [--output FILE] [--json]`: the catalogue as code for another tool (slo-as-code/). */
function exportCommand(args: string[], io: CommandIo): number {
  const { values } = usageOnError(() => parseArgs({ args, options: { format: { type: 'string' }, output: { type: 'string' }, json: { type: 'boolean' } } }));
  if (values.format === undefined) throw new UsageError(`--format is required: one of ${EXPORT_FORMATS.join(', ')}`);
  if (!isExportFormat(values.format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${values.format}"`);
  const slos = activeSlos();
  const result = exportSlos(slos, values.format, values.json === true);
  for (const warning of result.warnings) io.err(`obs slo export: ${warning}`);
  if (values.output === undefined) {
    io.out(result.text);
    return EXIT.OK;
  }
  try {
    writeFileSync(values.output, result.text.endsWith('\n') ? result.text : result.text + '\n');
  } catch (error) {
    throw new CommandError(`cannot write ${values.output}: ${(error as Error).message}`, EXIT.FAILED, { cause: error });
  }
  io.err(`obs slo export: wrote ${values.format} for ${slos.length} SLOs to ${values.output}`);
  return EXIT.OK;
}

/**
 * `obs slo import FILE [--json]`: checks an OpenSLO v1 file and shows the catalogue it gives with
 * the built-in SLOs (slo-as-code/slo-file.ts). It changes nothing: OBS_SLO_FILE=FILE makes the
 * pipeline use it. Every problem is named; bad content exits 65, a missing file 66.
 */
function importCommand(args: string[], io: CommandIo): number {
  const { values, positionals } = usageOnError(() => parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } }));
  if (positionals.length !== 1) throw new UsageError('give one file: obs slo import FILE');
  const file = positionals[0] as string;
  let merged;
  try {
    merged = loadSloFile(file);
  } catch (error) {
    if (!(error instanceof SloFileError)) throw error;
    if (values.json) io.out(JSON.stringify({ file, ok: false, problems: error.problems }, null, 2));
    throw new CommandError(error.message, error.unreadable ? EXIT.NO_INPUT : EXIT.DATA, { cause: error });
  }
  if (values.json) {
    io.out(JSON.stringify({ file, ok: true, added: merged.added, sameAsBuiltIn: merged.same, slos: merged.slos }, null, 2));
    return EXIT.OK;
  }
  const lines = [`${file}: OK — ${merged.added.length} SLO${merged.added.length === 1 ? '' : 's'} added to the ${merged.slos.length - merged.added.length} built-in ones${merged.same.length > 0 ? `; ${merged.same.length} identical to built-in SLOs (${merged.same.join(', ')})` : ''}.`];
  for (const s of merged.added) {
    const window = s.calendar ? `calendar month in ${s.calendar.timeZone}` : `rolling ${s.windowDays} days`;
    lines.push(`  + ${s.id.padEnd(28)} ${(s.objective * 100).toFixed(3).padStart(7)}%  ${s.module.padEnd(14)} ${window}`);
  }
  lines.push(`Use it: OBS_SLO_FILE=${file} (every obs command and the pipeline then read the merged catalogue).`);
  io.out(lines.join('\n'));
  return EXIT.OK;
}

/** `obs slo status [--at ISO] [--json]` and `obs slo report --month YYYY-MM [--format md|csv|json]`. */
export const sloCommand: Command = {
  name: 'slo',
  usage: 'obs slo status [--at ISO] [--json] | obs slo report --month YYYY-MM [--format md|csv|json] | obs slo export --format F [--output FILE] | obs slo import FILE | obs slo gate --module MODULE [--emergency --reason TEXT]',
  summary: 'SLO attainment, error budgets and burn rates; the monthly compliance report; SLOs as code (export, import); the release gate',
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
    const exportHelp = formatHelp({
      usage: `obs slo export --format ${EXPORT_FORMATS.join('|')} [--output FILE] [--json]`,
      description:
        'The SLO catalogue as code for another tool: OpenSLO v1 YAML (SLO, SLI, AlertPolicy), a Sloth prometheus/v1 spec, Prometheus recording and multiwindow burn-rate alerting rules (the pipeline\'s own windows, factors and traffic guard), Datadog SLO and monitor JSON, or Cloud Monitoring SLO JSON. docs/SLOS.md "SLOs as code".',
      options: [
        { flag: `--format ${EXPORT_FORMATS.join('|')}`, text: 'the format (required)' },
        { flag: '--output FILE', text: 'write the file there instead of stdout', default: 'stdout' },
        { flag: '--json', text: 'the YAML formats as JSON documents (Datadog and Cloud Monitoring are JSON already)', default: 'off' },
      ],
      notes: 'What a format cannot express (a Cloud Monitoring SLI over several metrics in one role, a calendar month in Sloth or Datadog) is named on stderr.',
      examples: ['obs slo export --format openslo', 'obs slo export --format prometheus-rules --output slo-rules.yml'],
    });
    const importHelp = formatHelp({
      usage: 'obs slo import FILE [--json]',
      description:
        'Checks an OpenSLO v1 file (multi-document YAML: SLO, SLI, AlertPolicy, AlertCondition) and shows the catalogue it makes with the built-in SLOs. Every problem is named with its line and field, all at once. It changes nothing: set OBS_SLO_FILE=FILE to use it. docs/SLOS.md "Importing SLOs".',
      options: [{ flag: '--json', text: '{file, ok, added, sameAsBuiltIn, slos} or {file, ok: false, problems}', default: 'off' }],
      notes: 'An imported SLO with a built-in id must equal the built-in one; a different one is a problem. Exit 65 when the file has problems, 66 when it cannot be read.',
      examples: ['obs slo import docs/examples/slos.openslo.yaml'],
    });
    if (path[0] === 'status') return statusHelp;
    if (path[0] === 'import') return importHelp;
    if (path[0] === 'export') return exportHelp;
    if (path[0] === 'report') return reportHelp;
    if (path[0] === 'gate') return gateHelp();
    return `obs slo status|report|export|import|gate — SLO attainment, error budgets and burn rates; the monthly report; SLOs as code; the release gate.\n\n${statusHelp}\n\n${reportHelp}\n\n${exportHelp}\n\n${importHelp}\n\n${gateHelp()}`;
  },
  run(args, io, context) {
    return withUsage(this, io, async () => {
      const [sub, ...rest] = args;
      if (sub === 'status') return status(rest, io, appOf(context));
      if (sub === 'report') return report(rest, io, appOf(context));
      if (sub === 'export') return exportCommand(rest, io);
      if (sub === 'import') return importCommand(rest, io);
      if (sub === 'gate') return gateCommand(rest, io, appOf(context));
      throw new UsageError(sub === undefined ? 'a subcommand is required (status, report, export, import or gate)' : `unknown subcommand "${sub}"`);
    });
  },
};
