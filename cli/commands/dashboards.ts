import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { activeSlos } from '../../shared/slo-catalogue';
import { DASHBOARD_FORMATS, exportDashboard, isDashboardFormat } from '../../slo-as-code/dashboards/dashboard-formats';
import { CommandError, EXIT, formatHelp, type Command, type CommandIo } from '../command';
import { usageOnError, UsageError, withUsage } from './aggregate';

const USAGE = `obs dashboards export --format ${DASHBOARD_FORMATS.join('|')} [--output FILE] [--project ID]`;

/** `obs dashboards export`: an SLO dashboard definition for Datadog, Cloud Monitoring or Grafana (slo-as-code/dashboards/). */
function exportCommand(args: string[], io: CommandIo): number {
  const { values } = usageOnError(() => parseArgs({ args, options: { format: { type: 'string' }, output: { type: 'string' }, project: { type: 'string' }, json: { type: 'boolean' } } }));
  if (values.format === undefined) throw new UsageError(`--format is required: one of ${DASHBOARD_FORMATS.join(', ')}`);
  if (!isDashboardFormat(values.format)) throw new UsageError(`--format must be one of ${DASHBOARD_FORMATS.join(', ')}, not "${values.format}"`);
  const project = values.project ?? (process.env.GOOGLE_CLOUD_PROJECT?.trim() || undefined);
  const { json, warnings } = exportDashboard(activeSlos(), values.format, { ...(project ? { project } : {}) });
  for (const w of warnings) io.err(`obs dashboards export: ${w}`);
  const text = JSON.stringify(json, null, 2);
  if (values.output === undefined) {
    io.out(text);
    return EXIT.OK;
  }
  try {
    writeFileSync(values.output, text + '\n');
  } catch (error) {
    throw new CommandError(`cannot write ${values.output}: ${(error as Error).message}`, EXIT.FAILED, { cause: error });
  }
  io.err(`obs dashboards export: wrote the ${values.format} dashboard to ${values.output}`);
  return EXIT.OK;
}

export const dashboardsCommand: Command = {
  name: 'dashboards',
  usage: USAGE,
  summary: 'SLO dashboard definitions for Datadog, Cloud Monitoring or Grafana',
  help: () =>
    formatHelp({
      usage: USAGE,
      description:
        'Writes an SLO dashboard for the chosen tool, as JSON: Datadog (POST /api/v1/dashboard body: attainment, budget left and burn rate per SLO over the exporter\'s points), Cloud Monitoring (projects.dashboards.create body over the SLOs of `obs slo export --format gcm`), or Grafana (a dashboard JSON model over Prometheus: the exporter\'s series and the recording rules of `obs slo export --format prometheus-rules`). docs/SLOS.md "Provider dashboards".',
      options: [
        { flag: `--format ${DASHBOARD_FORMATS.join('|')}`, text: 'the tool (required)' },
        { flag: '--output FILE', text: 'write the JSON there instead of stdout', default: 'stdout' },
        { flag: '--project ID', text: 'gcm: the Google Cloud project the SLO names use', default: 'GOOGLE_CLOUD_PROJECT, else PROJECT_ID (named on stderr)' },
        { flag: '--json', text: 'accepted for symmetry: the output is always JSON', default: 'on' },
      ],
      examples: ['obs dashboards export --format grafana', 'obs dashboards export --format datadog --output slo-dashboard.json'],
    }),
  run(args, io) {
    return withUsage(this, io, () => {
      const [sub, ...rest] = args;
      if (sub === 'export') return Promise.resolve(exportCommand(rest, io));
      throw new UsageError(sub === undefined ? 'a subcommand is required (export)' : `unknown subcommand "${sub}"`);
    });
  },
};
