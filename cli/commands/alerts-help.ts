import { AT_OPTION, formatHelp, JSON_OPTION } from '../command';

/**
 * `obs alerts … --help`: one text per sub-command (cli/commands/alerts.ts runs them). `path` is
 * the words before `--help`: [] or ['evaluate'], ['list'], ['silence'], ['silence', 'list'], ['silence', 'expire'].
 */
const EVALUATE = formatHelp({
  usage: 'obs alerts evaluate [--at ISO] [--json] [--outbox PATH]',
  description:
    'Evaluates every alert rule and SLO burn-rate alert against the rollups as of now (or --at), moves alerts\n' +
    'through pending → firing → resolved, and delivers notifications (unconfigured channels go to the outbox).\n' +
    'Alert state is in the local DuckDB warehouse (in production the scheduled function does this, state in Firestore).',
  options: [AT_OPTION, JSON_OPTION, { flag: '--outbox PATH', text: 'where unconfigured channels write', default: '.data/outbox.jsonl' }],
  examples: ['obs aggregate && obs alerts evaluate', 'obs alerts evaluate --at 2026-11-26T10:05:00Z --json'],
});

const LIST = formatHelp({
  usage: 'obs alerts list [--all] [--json]',
  description:
    'Lists alert instances: state, severity, alert, value against the threshold, since when, and which path fired it\n' +
    '(FIRED BY: streaming, as the events arrived, or scheduled, the minute evaluation on the rollups; — for pending and\n' +
    'inactive alerts). Firing and pending only, unless --all. --json: the instances, each with firedBy (null when —).',
  options: [{ flag: '--all', text: 'also resolved and inactive instances', default: 'firing and pending only' }, JSON_OPTION],
  examples: ['obs alerts list', 'obs alerts list --all --json'],
});

const SILENCE = formatHelp({
  usage: 'obs alerts silence --matcher k=v [--matcher k2=~regex …] --duration 2h --comment TEXT [--author NAME] [--start ISO] [--at ISO] [--json]',
  description:
    'Adds a silence: alerts whose labels match every matcher still change state but are not notified until it ends.\n' +
    'Matchers are label=value, label!=value, label=~regex or label!~regex (regexes match the whole value; labels: alertname,\n' +
    'severity, module, kind and the rule\'s groupBy tags — docs/ALERTS.md). At least one matcher and a comment are required.\n' +
    'Sub-commands: `obs alerts silence list`, `obs alerts silence expire ID` (each takes --help).',
  options: [
    { flag: '--matcher M', text: 'a label matcher; repeat for several (all must match)' },
    { flag: '--duration D', text: 'how long, e.g. 30m, 2h, 1d (required)' },
    { flag: '--comment TEXT', text: 'why (shown in lists and the dashboard; required)' },
    { flag: '--author NAME', text: 'who', default: '$USER, else obs' },
    { flag: '--start ISO', text: 'when it begins', default: 'now' },
    AT_OPTION,
    JSON_OPTION,
  ],
  examples: ['obs alerts silence --matcher module=wallet --matcher \'severity=~P1|P2\' --duration 2h --comment "payment provider maintenance"'],
});

const SILENCE_LIST = formatHelp({
  usage: 'obs alerts silence list [--all] [--at ISO] [--json]',
  description: 'Lists silences: id, status (pending, active, expired), matchers, start → end, author and comment.',
  options: [{ flag: '--all', text: 'also expired silences', default: 'pending and active only' }, AT_OPTION, JSON_OPTION],
  examples: ['obs alerts silence list', 'obs alerts silence list --all --json'],
});

const SILENCE_EXPIRE = formatHelp({
  usage: 'obs alerts silence expire ID [--at ISO] [--json]',
  description: 'Ends a silence now (or at --at). Exit status 1 when no silence has that id.',
  options: [AT_OPTION, JSON_OPTION],
  examples: ['obs alerts silence expire 3f2c9a1e'],
});

export function alertsHelp(path: readonly string[]): string {
  const [sub, subsub] = path;
  if (sub === 'evaluate') return EVALUATE;
  if (sub === 'list') return LIST;
  if (sub === 'silence') return subsub === 'list' ? SILENCE_LIST : subsub === 'expire' ? SILENCE_EXPIRE : SILENCE;
  return [
    'obs alerts evaluate|list|silence — evaluate alert rules and deliver notifications, list alerts, manage silences.',
    'Each sub-command takes --help: obs alerts evaluate --help, obs alerts silence list --help, …',
    '',
    EVALUATE,
    '',
    LIST,
    '',
    SILENCE,
    '',
    SILENCE_LIST,
    '',
    SILENCE_EXPIRE,
  ].join('\n');
}
