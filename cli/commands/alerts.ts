import { parseArgs } from 'node:util';
import type { LocalApp } from '../../app/local';
import type { EvaluationReport } from '../../alerts/run/evaluate-run';
import { parseMatcher, formatMatcher } from '../../alerts/model/matchers';
import { createSilence, silenceStatus, type Silence } from '../../alerts/mute/silences';
import { WarehouseAlertStore } from '../../alerts/state/warehouse-alert-store';
import type { AlertInstance } from '../../alerts/model/alert-instance';
import { firingPathOf } from '../../alerts/model/firing-path';
import { formatInstant, instanceValueText } from '../../alerts/notifiers/message-format';
import { isForecastRuleId } from '../../alerts/rules/forecast-rules';
import { parseDurationSeconds, parseInstantMs } from '../../shared/time-windows';
import type { Warehouse } from '../../sql/warehouse';
import { appOf, runSubcommand, UsageError, type Command, type CommandIo } from '../command';
import { nowFrom as nowAt, usageOnError as asUsage } from './aggregate';
import { alertsHelp } from './alerts-help';

const USAGE = `obs alerts evaluate [--at ISO] [--json] [--outbox PATH]
obs alerts list [--all] [--json]
obs alerts silence --matcher k=v [--matcher k2=~regex …] --duration 2h --comment TEXT [--author NAME] [--start ISO] [--at ISO] [--json]
obs alerts silence list [--all] [--at ISO] [--json]
obs alerts silence expire ID [--at ISO] [--json]`;

/**
 * The local DuckDB file only: the `obs alerts` commands keep alert state in the warehouse's
 * tables, which is the local store; production state is in Firestore and is evaluated by the
 * scheduled function.
 */
async function withWarehouse<T>(app: LocalApp, work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  if (app.config.warehouse !== 'duckdb') {
    throw new Error('obs alerts works on the local DuckDB warehouse; unset OBS_WAREHOUSE (or set it to duckdb). In production the scheduled function evaluates alerts, with their state in Firestore.');
  }
  return app.withWarehouse(work);
}

const nowFrom = (at: string | undefined, app: LocalApp): number => nowAt(at, app.clock);
const iso = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString());
const fmt = (v: number | null): string => (v === null ? 'no data' : Number.isInteger(v) ? String(v) : v.toFixed(3));

function muteText(reason: EvaluationReport['muted'][number]['reason']): string {
  if (reason.by === 'silence') return `silence ${reason.silenceId}`;
  if (reason.by === 'maintenance') return `maintenance ${reason.maintenanceId} (${reason.title})`;
  return `inhibited by ${reason.sourceFingerprint} (${reason.rule})`;
}

function printEvaluation(report: EvaluationReport, io: CommandIo): void {
  const lines = [`Evaluated ${report.rules} rules (${report.observations} instances) at ${report.at}, run ${report.runId}`];
  lines.push(report.transitions.length === 0 ? 'No transitions.' : 'Transitions:');
  for (const t of report.transitions) {
    // A budget forecast's value and threshold are instants (the projected exhaustion, the window's end).
    const show = isForecastRuleId(t.ruleId) ? (v: number | null) => (v === null ? 'no data' : formatInstant(v)) : fmt;
    lines.push(`  ${t.severity} ${t.fingerprint}: ${t.from} → ${t.to} (value ${show(t.value)}, threshold ${show(t.threshold)})`);
  }
  if (report.conflicts.length > 0) lines.push(`Left to an overlapping run: ${report.conflicts.join(', ')}`);
  // Each with the path that fired it: one fired by streaming since the last run shows here without a transition.
  lines.push(`Firing: ${report.firing.length}${report.firing.length > 0 ? ` (${report.firing.map((f) => `${f.fingerprint}, fired by ${f.firedBy}`).join('; ')})` : ''}`);
  for (const m of report.muted) lines.push(`  muted ${m.fingerprint}: ${muteText(m.reason)}`);
  lines.push(`Notifications recorded: ${report.recorded.length}`);
  for (const d of report.deliveries) {
    lines.push(`  ${d.channel}: ${d.outcome} via ${d.target} — ${d.kinds.length} alert(s), ${d.attempts} attempt(s)${d.reason ? `: ${d.reason}` : ''}`);
  }
  io.out(lines.join('\n'));
}

function printInstances(instances: readonly AlertInstance[], io: CommandIo): void {
  if (instances.length === 0) {
    io.out('No alerts.');
    return;
  }
  const rows = instances.map((i) => [i.state, i.severity, i.fingerprint, instanceValueText(i), iso(i.state === 'resolved' ? i.resolvedAtMs : (i.firedAtMs ?? i.activeAtMs)), firingPathOf(i) ?? '—']);
  // FIRED BY last: the columns before it keep their places for scripts that cut them.
  const header = ['STATE', 'SEV', 'ALERT', 'VALUE', 'SINCE', 'FIRED BY'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  io.out([header, ...rows].map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd()).join('\n'));
}

function describeSilence(s: Silence, nowMs: number): string {
  return `${s.id}  ${silenceStatus(s, nowMs).padEnd(7)}  ${s.matchers.map(formatMatcher).join(', ')}  ${iso(s.startsAtMs)} → ${iso(s.endsAtMs)}  by ${s.createdBy}: ${s.comment}`;
}

async function evaluate(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values } = parseArgs({ args, options: { at: { type: 'string' }, json: { type: 'boolean' }, outbox: { type: 'string' } } });
  const nowMs = nowFrom(values.at, app);
  return withWarehouse(app, async (warehouse) => {
    const report = await app.jobs(warehouse).runAlerts(nowMs, values.outbox ? { outboxPath: values.outbox } : {});
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else printEvaluation(report, io);
    return 0;
  });
}

async function list(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values } = parseArgs({ args, options: { all: { type: 'boolean' }, json: { type: 'boolean' } } });
  return withWarehouse(app, async (warehouse) => {
    const order = { firing: 0, pending: 1, resolved: 2, inactive: 3 } as const;
    const instances = (await new WarehouseAlertStore(warehouse).loadInstances())
      .filter((i) => values.all || i.state === 'firing' || i.state === 'pending')
      .sort((a, b) => order[a.state] - order[b.state] || a.severity.localeCompare(b.severity) || a.fingerprint.localeCompare(b.fingerprint));
    // firedBy as the table shows it: null unless firing or resolved (alerts/model/firing-path.ts).
    if (values.json) io.out(JSON.stringify({ alerts: instances.map((i) => ({ ...i, firedBy: firingPathOf(i) })) }, null, 2));
    else printInstances(instances, io);
    return 0;
  });
}

async function silence(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: { all: { type: 'boolean' }, at: { type: 'string' }, json: { type: 'boolean' } } });
    const nowMs = nowFrom(values.at, app);
    return withWarehouse(app, async (warehouse) => {
      const silences = (await new WarehouseAlertStore(warehouse).loadSilences()).filter((s) => values.all || silenceStatus(s, nowMs) !== 'expired');
      if (values.json) io.out(JSON.stringify({ silences: silences.map((s) => ({ ...s, status: silenceStatus(s, nowMs) })) }, null, 2));
      else io.out(silences.length === 0 ? 'No silences.' : silences.map((s) => describeSilence(s, nowMs)).join('\n'));
      return 0;
    });
  }
  if (sub === 'expire') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { at: { type: 'string' }, json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError('obs alerts silence expire takes one silence id');
    const nowMs = nowFrom(values.at, app);
    return withWarehouse(app, async (warehouse) => {
      const expired = await new WarehouseAlertStore(warehouse).expireSilence(positionals[0] as string, nowMs);
      if (!expired) {
        io.err(`obs alerts silence expire: no silence with id ${positionals[0]}`);
        return 1;
      }
      if (values.json) io.out(JSON.stringify({ silence: { ...expired, status: silenceStatus(expired, nowMs) } }, null, 2));
      else io.out(`Expired: ${describeSilence(expired, nowMs)}`);
      return 0;
    });
  }
  const { values } = parseArgs({
    args,
    options: {
      matcher: { type: 'string', multiple: true },
      duration: { type: 'string' },
      comment: { type: 'string' },
      author: { type: 'string' },
      start: { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.duration) throw new UsageError('--duration is required (e.g. --duration 2h)');
  const duration = values.duration;
  const nowMs = nowFrom(values.at, app);
  const created = asUsage(() =>
    createSilence(
      {
        matchers: (values.matcher ?? []).map(parseMatcher),
        startsAtMs: values.start ? parseInstantMs(values.start) : nowMs,
        durationMs: parseDurationSeconds(duration) * 1000,
        createdBy: values.author ?? process.env.USER ?? 'obs',
        comment: values.comment ?? '',
      },
      nowMs,
    ),
  );
  return withWarehouse(app, async (warehouse) => {
    await new WarehouseAlertStore(warehouse).saveSilence(created);
    if (values.json) io.out(JSON.stringify({ silence: { ...created, status: silenceStatus(created, nowMs) } }, null, 2));
    else io.out(`Silenced: ${describeSilence(created, nowMs)}\nExpire it early with: obs alerts silence expire ${created.id}`);
    return 0;
  });
}

/** `obs alerts evaluate|list|silence`: run the evaluator, show alert state, manage silences. */
export const alertsCommand: Command = {
  name: 'alerts',
  usage: 'obs alerts evaluate|list|silence ...',
  help: alertsHelp,
  summary: 'Evaluate alert rules and deliver notifications, list alerts, add/list/expire silences',
  async run(args, io, context) {
    const [sub, ...rest] = args;
    return runSubcommand(this, USAGE, io, async () => {
      if (sub === 'evaluate') return await evaluate(rest, io, appOf(context));
      if (sub === 'list') return await list(rest, io, appOf(context));
      if (sub === 'silence') return await silence(rest, io, appOf(context));
      throw new UsageError(sub === undefined ? 'which one?' : `unknown sub-command "${sub}"`);
    });
  },
};
