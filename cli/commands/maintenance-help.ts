import { AT_OPTION, formatHelp, JSON_OPTION } from '../command';

/** `obs maintenance … --help`: one text per sub-command (cli/commands/maintenance.ts runs them). */
const ADD = formatHelp({
  usage:
    'obs maintenance add --module M --title TEXT --start ISO --end ISO [--exclude-from-budget] [--author NAME] [--at ISO] [--json]\n' +
    'obs maintenance add --module M --title TEXT --every daily|weekly [--on DAYS] --time HH:MM --for DURATION [--tz ZONE]\n' +
    '                    [--from ISO] [--until ISO] [--exclude-from-budget] [--author NAME] [--at ISO] [--json]',
  description:
    'Adds a maintenance window of one module: one-off (--start/--end) or recurring (--every). While it is in progress the\n' +
    'module\'s alerts are muted like a silence (tracked, not notified; resolves still go out), and the public status page\n' +
    'shows it. With --exclude-from-budget its minutes are left out of the module\'s SLO attainment and error budgets, the\n' +
    'burn-rate alerts and the monthly report. The title is public (the status page shows it): no internal detail.\n' +
    'Recurring: an occurrence starts at --time local time in --tz every day (daily) or on each --on weekday (weekly), and\n' +
    'lasts --for; daylight saving is followed (docs/ALERTS.md, "Maintenance windows").',
  options: [
    { flag: '--module M', text: 'the module (obs catalog lists them): wallet, chat, calls, …' },
    { flag: '--title TEXT', text: 'what the maintenance is, one line, at most 200 characters (public)' },
    { flag: '--start ISO', text: 'one-off: when it starts' },
    { flag: '--end ISO', text: 'one-off: when it ends (exclusive)' },
    { flag: '--every daily|weekly', text: 'recurring: how often' },
    { flag: '--on DAYS', text: 'weekly: weekdays, comma-separated: mon,tue,wed,thu,fri,sat,sun' },
    { flag: '--time HH:MM', text: 'recurring: the local time each occurrence starts (24-hour)' },
    { flag: '--for DURATION', text: 'recurring: how long each occurrence lasts, e.g. 30m, 2h (at most 24h daily, 7d weekly)' },
    { flag: '--tz ZONE', text: 'recurring: IANA time zone of --time', default: 'UTC' },
    { flag: '--from ISO', text: 'recurring: no occurrence starts before this', default: 'now' },
    { flag: '--until ISO', text: 'recurring: no occurrence starts at or after this', default: 'no end' },
    { flag: '--exclude-from-budget', text: 'leave its minutes out of the module\'s SLOs', default: 'off: the minutes count' },
    { flag: '--author NAME', text: 'who', default: '$USER, else obs' },
    AT_OPTION,
    JSON_OPTION,
  ],
  examples: [
    'obs maintenance add --module wallet --title "Payment provider upgrade" --start 2026-12-01T02:00:00Z --end 2026-12-01T04:00:00Z --exclude-from-budget',
    'obs maintenance add --module chat --title "Weekly database maintenance" --every weekly --on sun --time 02:00 --for 2h --tz Europe/Berlin',
  ],
});

const LIST = formatHelp({
  usage: 'obs maintenance list [--all] [--at ISO] [--json]',
  description:
    'Lists maintenance windows: id, module, status (active, upcoming, ended), schedule, the occurrence in progress or the\n' +
    'next one, whether it is excluded from budgets, and the title. Ended one-off windows only with --all.',
  options: [{ flag: '--all', text: 'also windows that have ended', default: 'active and upcoming only' }, AT_OPTION, JSON_OPTION],
  examples: ['obs maintenance list', 'obs maintenance list --all --json'],
});

const REMOVE = formatHelp({
  usage: 'obs maintenance remove ID [--json]',
  description:
    'Removes a maintenance window (every occurrence of a recurring one): its module\'s alerts are no longer muted by it, and\n' +
    'SLOs computed from now on count its minutes again. Exit status 1 when no window has that id.',
  options: [JSON_OPTION],
  examples: ['obs maintenance remove mw-3f2c9a1e'],
});

export function maintenanceHelp(path: readonly string[]): string {
  const [sub] = path;
  if (sub === 'add') return ADD;
  if (sub === 'list') return LIST;
  if (sub === 'remove') return REMOVE;
  return [
    'obs maintenance add|list|remove — maintenance windows: mute a module\'s alerts, show on the status page, optionally leave SLO budgets out.',
    'Each sub-command takes --help: obs maintenance add --help, …',
    '',
    ADD,
    '',
    LIST,
    '',
    REMOVE,
  ].join('\n');
}
