import { parseArgs } from 'node:util';
import type { LocalApp } from '../../app/local';
import { WarehouseMaintenanceStore } from '../../maintenance/warehouse-maintenance-store';
import { describeRecurrence, parseRecurrence } from '../../maintenance/recurrence';
import { createMaintenanceWindow, currentOrNextOccurrence, type MaintenanceWindow } from '../../maintenance/window';
import { isActiveAt, type MaintenanceOccurrence } from '../../maintenance/occurrence';
import { parseDurationSeconds, parseInstantMs } from '../../shared/time-windows';
import { appOf, EXIT, runSubcommand, UsageError, type Command, type CommandIo } from '../command';
import { nowFrom as nowAt, usageOnError as asUsage } from './aggregate';
import { maintenanceHelp } from './maintenance-help';

const USAGE = `obs maintenance add --module M --title TEXT (--start ISO --end ISO | --every daily|weekly [--on DAYS] --time HH:MM --for DURATION [--tz ZONE] [--from ISO] [--until ISO]) [--exclude-from-budget] [--author NAME] [--at ISO] [--json]
obs maintenance list [--all] [--at ISO] [--json]
obs maintenance remove ID [--json]`;

const nowFrom = (at: string | undefined, app: LocalApp): number => nowAt(at, app.clock);
/** `parse()`, its error prefixed with the flag it came from. */
function flagged<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
const instant = (flag: string, text: string): number => flagged(flag, () => parseInstantMs(text));
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export type WindowStatus = 'active' | 'upcoming' | 'ended';

function statusOf(next: MaintenanceOccurrence | undefined, nowMs: number): WindowStatus {
  if (!next) return 'ended';
  return isActiveAt(next, nowMs) ? 'active' : 'upcoming';
}

/** A window as `--json` prints it: times as ISO text, with its status and the occurrence in progress or next. */
function windowJson(w: MaintenanceWindow, nowMs: number) {
  const next = currentOrNextOccurrence(w, nowMs);
  return {
    id: w.id,
    module: w.module,
    title: w.title,
    excludeFromBudget: w.excludeFromBudget,
    schedule: schedule(w),
    startsAt: iso(w.startsAtMs),
    endsAt: iso(w.endsAtMs),
    recurrence: w.recurrence,
    createdAt: iso(w.createdAtMs),
    createdBy: w.createdBy,
    status: statusOf(next, nowMs),
    next: next ?? null,
  };
}

function schedule(w: MaintenanceWindow): string {
  if (w.recurrence === null) return `once ${iso(w.startsAtMs)} → ${iso(w.endsAtMs)}`;
  return `${describeRecurrence(w.recurrence)}${w.endsAtMs === null ? '' : ` until ${iso(w.endsAtMs)}`}`;
}

function printWindows(windows: ReadonlyArray<ReturnType<typeof windowJson>>, io: CommandIo): void {
  if (windows.length === 0) {
    io.out('No maintenance windows.');
    return;
  }
  const rows = windows.map((w) => [w.id, w.module, w.status, w.schedule, w.next ? `${w.next.startsAt} → ${w.next.endsAt}` : '—', w.excludeFromBudget ? 'excluded' : 'counted', w.title]);
  const header = ['ID', 'MODULE', 'STATUS', 'SCHEDULE', 'NOW OR NEXT', 'BUDGET', 'TITLE'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  io.out([header, ...rows].map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd()).join('\n'));
}

async function add(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      module: { type: 'string' },
      title: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      every: { type: 'string' },
      on: { type: 'string' },
      time: { type: 'string' },
      for: { type: 'string' },
      tz: { type: 'string' },
      from: { type: 'string' },
      until: { type: 'string' },
      'exclude-from-budget': { type: 'boolean' },
      author: { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (quote a title with spaces: --title "…")`);
  if (values.module === undefined) throw new UsageError('--module is required (e.g. --module wallet)');
  if (values.title === undefined) throw new UsageError('--title is required: what the maintenance is (it is shown on the public status page)');
  const nowMs = nowFrom(values.at, app);
  const oneOffFlags = (['start', 'end'] as const).filter((f) => values[f] !== undefined);
  const recurringFlags = (['every', 'on', 'time', 'for', 'tz', 'from', 'until'] as const).filter((f) => values[f] !== undefined);
  if (oneOffFlags.length > 0 && recurringFlags.length > 0) {
    throw new UsageError(`--${oneOffFlags.join('/--')} (a one-off window) and --${recurringFlags.join('/--')} (a recurring one) do not go together; give --start and --end, or --every …`);
  }
  let window: MaintenanceWindow;
  if (recurringFlags.length > 0) {
    if (values.every === undefined) throw new UsageError(`--${recurringFlags.join('/--')} ${recurringFlags.length === 1 ? 'goes' : 'go'} with --every daily|weekly`);
    const forText = values.for;
    const recurrence = asUsage(() =>
      parseRecurrence({
        every: values.every,
        ...(values.on !== undefined ? { on: values.on } : {}),
        ...(values.time !== undefined ? { time: values.time } : {}),
        ...(forText !== undefined ? { durationSeconds: flagged('--for', () => parseDurationSeconds(forText)) } : {}),
        ...(values.tz !== undefined ? { tz: values.tz } : {}),
      }),
    );
    const startsAtMs = values.from === undefined ? nowMs : instant('--from', values.from);
    const endsAtMs = values.until === undefined ? null : instant('--until', values.until);
    window = asUsage(() => createMaintenanceWindow({ module: values.module as string, title: values.title as string, excludeFromBudget: values['exclude-from-budget'] === true, startsAtMs, endsAtMs, recurrence, createdBy: values.author ?? process.env.USER ?? 'obs' }, nowMs));
  } else {
    if (values.start === undefined || values.end === undefined) throw new UsageError('a window needs --start and --end (one-off), or --every daily|weekly --time HH:MM --for DURATION (recurring)');
    const startsAtMs = instant('--start', values.start);
    const endsAtMs = instant('--end', values.end);
    window = asUsage(() => createMaintenanceWindow({ module: values.module as string, title: values.title as string, excludeFromBudget: values['exclude-from-budget'] === true, startsAtMs, endsAtMs, recurrence: null, createdBy: values.author ?? process.env.USER ?? 'obs' }, nowMs));
  }
  await app.withWarehouse((warehouse) => new WarehouseMaintenanceStore(warehouse).save(window));
  const shown = windowJson(window, nowMs);
  if (values.json) io.out(JSON.stringify({ window: shown }, null, 2));
  else {
    const lines = [`Added maintenance window ${window.id} (${window.module}): ${shown.schedule}${window.excludeFromBudget ? ', excluded from SLO budgets' : ''} — ${window.title}`];
    lines.push(shown.next ? `${shown.status === 'active' ? 'In progress' : 'Next'}: ${shown.next.startsAt} → ${shown.next.endsAt}` : 'It has already ended: it mutes nothing from now on.');
    lines.push(`Remove it with: obs maintenance remove ${window.id}`);
    io.out(lines.join('\n'));
  }
  return EXIT.OK;
}

async function list(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values } = parseArgs({ args, options: { all: { type: 'boolean' }, at: { type: 'string' }, json: { type: 'boolean' } } });
  const nowMs = nowFrom(values.at, app);
  const windows = (await app.withWarehouse((warehouse) => new WarehouseMaintenanceStore(warehouse).list())).map((w) => windowJson(w, nowMs)).filter((w) => values.all || w.status !== 'ended');
  if (values.json) io.out(JSON.stringify({ at: new Date(nowMs).toISOString(), windows }, null, 2));
  else printWindows(windows, io);
  return EXIT.OK;
}

async function remove(args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('obs maintenance remove takes one window id (obs maintenance list shows them)');
  const id = positionals[0] as string;
  const removed = await app.withWarehouse((warehouse) => new WarehouseMaintenanceStore(warehouse).remove(id));
  if (!removed) {
    io.err(`obs maintenance remove: no maintenance window with id ${id} (obs maintenance list --all shows them)`);
    return EXIT.FAILED;
  }
  const nowMs = app.clock.now();
  if (values.json) io.out(JSON.stringify({ removed: windowJson(removed, nowMs) }, null, 2));
  else io.out(`Removed maintenance window ${removed.id} (${removed.module}): ${schedule(removed)} — ${removed.title}`);
  return EXIT.OK;
}

/** `obs maintenance add|list|remove`: maintenance windows, kept in the warehouse (maintenance/). */
export const maintenanceCommand: Command = {
  name: 'maintenance',
  usage: 'obs maintenance add|list|remove ...',
  help: maintenanceHelp,
  summary: 'Maintenance windows: mute a module\'s alerts, show on the status page, optionally leave SLO budgets out',
  async run(args, io, context) {
    const [sub, ...rest] = args;
    return runSubcommand(this, USAGE, io, async () => {
      if (sub === 'add') return await add(rest, io, appOf(context));
      if (sub === 'list') return await list(rest, io, appOf(context));
      if (sub === 'remove') return await remove(rest, io, appOf(context));
      throw new UsageError(sub === undefined ? 'which one: add, list or remove?' : `unknown sub-command "${sub}"`);
    });
  },
};
