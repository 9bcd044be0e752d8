import { parseArgs } from 'node:util';
import { ALERT_RULES, CHANNELS, INCIDENT_TIERS, METRICS, MODULES, PIPELINE_ALERT_RULES, activeSlos, errorBudgetMinutes } from '../../shared';
import { EXIT_USAGE, formatHelp, JSON_OPTION, type Command } from '../command';

/** `obs catalog [--json]`: the whole domain catalogue. */
export const catalogCommand: Command = {
  name: 'catalog',
  usage: 'obs catalog [--json]',
  summary: 'Print the metric catalogue, modules, SLOs, alert rules (metric and pipeline), incident tiers and channels',
  help: () =>
    formatHelp({
      usage: 'obs catalog [--json]',
      description: 'Prints the domain catalogue (shared/): every metric with its kind, unit and module; modules; SLOs; alert rules; incident tiers; channels. Reads no configuration.',
      options: [JSON_OPTION],
      examples: ['obs catalog', 'obs catalog --json'],
    }),
  run(args, io) {
    let json = false;
    try {
      json = parseArgs({ args, options: { json: { type: 'boolean' } } }).values.json ?? false;
    } catch (error) {
      io.err(`obs catalog: ${(error as Error).message}\nusage: ${this.usage}`);
      return Promise.resolve(EXIT_USAGE);
    }
    const metrics = Object.entries(METRICS).map(([name, m]) => ({ name, ...m }));
    const modules = Object.entries(MODULES).map(([id, m]) => ({ id, ...m }));
    const channels = Object.entries(CHANNELS).map(([id, c]) => ({ id, ...c }));
    const tiers = Object.entries(INCIDENT_TIERS).map(([severity, t]) => ({ severity, ...t }));
    if (json) {
      io.out(JSON.stringify({ metrics, modules, slos: activeSlos(), alertRules: ALERT_RULES, pipelineRules: PIPELINE_ALERT_RULES, incidentTiers: tiers, channels }, null, 2));
      return Promise.resolve(0);
    }
    const lines: string[] = [];
    lines.push(`Metrics (${metrics.length})`);
    for (const m of metrics) lines.push(`  ${m.name.padEnd(46)} ${m.kind.padEnd(6)} ${m.unit.padEnd(12)} ${m.module}`);
    lines.push('', `Modules (${modules.length})`);
    for (const m of modules) lines.push(`  ${m.id.padEnd(16)} ${m.name} — packs ${m.packs.join(', ')}`);
    const slos = activeSlos();
    lines.push('', `SLOs (${slos.length})`);
    for (const s of slos) {
      const budget = s.category === 'availability' && !s.calendar ? ` — budget ${errorBudgetMinutes(s).toFixed(1)} min` : '';
      const window = s.calendar ? `calendar month (${s.calendar.timeZone})` : `rolling ${s.windowDays} days`;
      lines.push(`  ${s.id.padEnd(28)} ${(s.objective * 100).toFixed(2).padStart(6)}%  ${s.module}  ${window}${budget}`);
    }
    lines.push('', `Alert rules (${ALERT_RULES.length})`);
    for (const r of ALERT_RULES) {
      lines.push(`  ${r.severity} ${r.id.padEnd(30)} ${r.aggregation}(${r.metric}[${r.windowSeconds / 60}m]) ${r.comparator} ${r.threshold}`);
    }
    lines.push('', `Pipeline rules (${PIPELINE_ALERT_RULES.length}: the pipeline watching itself)`);
    for (const r of PIPELINE_ALERT_RULES) lines.push(`  ${r.severity} ${r.id.padEnd(30)} ${r.name}`);
    lines.push('', 'Incident tiers');
    for (const t of tiers) lines.push(`  ${t.severity}  respond within ${t.responseMinutes} min — ${t.description}`);
    lines.push('', 'Channels');
    for (const c of channels) lines.push(`  ${c.id.padEnd(14)} ${c.kind.padEnd(10)} ${c.env}`);
    io.out(lines.join('\n'));
    return Promise.resolve(0);
  },
};
