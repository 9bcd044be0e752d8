import { parseArgs } from 'node:util';
import type { LocalApp } from '../../app/local';
import type { Incident, IncidentEntry } from '../../incidents/incident';
import { acknowledgeIncident, IncidentInputError, IncidentNotFoundError, postIncidentUpdate } from '../../incidents/incident-actions';
import { ALL_INCIDENTS_MS, incidentJson, RECENT_INCIDENTS_MS } from '../../incidents/incidents-route';
import { timelineText } from '../../incidents/timeline-text';
import { WarehouseIncidentStore } from '../../incidents/warehouse-incident-store';
import { AT_OPTION, appOf, EXIT, exitCodeOf, formatHelp, JSON_OPTION, runSubcommand, UsageError, type Command, type CommandIo } from '../command';
import { nowFrom as nowAt } from './aggregate';

const USAGE = `obs incidents list [--all] [--at ISO] [--json]
obs incidents show ID [--json]
obs incidents ack ID [--by NAME] [--at ISO] [--json]
obs incidents update ID --message TEXT [--public] [--by NAME] [--at ISO] [--json]`;

const HELP: Record<string, string> = {
  list: formatHelp({
    usage: 'obs incidents list [--all] [--at ISO] [--json]',
    description:
      'Lists incidents: the alerts of one module firing at overlapping times, grouped (docs/ALERTS.md, "Incidents").\n' +
      'Open and acknowledged ones, and those that changed in the last 7 days; --all: the last 90 days.',
    options: [{ flag: '--all', text: 'the last 90 days', default: 'open, and changed in the last 7 days' }, AT_OPTION, JSON_OPTION],
    examples: ['obs incidents list', 'obs incidents list --all --json'],
  }),
  show: formatHelp({
    usage: 'obs incidents show ID [--json]',
    description: 'One incident with its timeline: opened, each alert that fired or resolved, each notification (channel, outcome),\nacknowledged (by whom, via what), updates, resolved. Exit status 1 when no incident has that id.',
    options: [JSON_OPTION],
    examples: ['obs incidents show inc-3f2a9c1b04'],
  }),
  ack: formatHelp({
    usage: 'obs incidents ack ID [--by NAME] [--at ISO] [--json]',
    description:
      'Acknowledges an incident: someone is on it. Reminders of its alerts stop; a new alert joining it and the resolve are\n' +
      'still notified. Acknowledging twice changes nothing. Exit status 1 when no incident has that id.',
    options: [{ flag: '--by NAME', text: 'who', default: '$USER, else obs' }, AT_OPTION, JSON_OPTION],
    examples: ['obs incidents ack inc-3f2a9c1b04 --by dana'],
  }),
  update: formatHelp({
    usage: 'obs incidents update ID --message TEXT [--public] [--by NAME] [--at ISO] [--json]',
    description:
      'Adds a free-text update to an incident\'s timeline. With --public it is shown as written on the public status page\n' +
      '(/status) and makes the incident public: write it for users, with no internal detail. Exit status 1 when no incident has that id.',
    options: [
      { flag: '--message TEXT', text: 'the update (required; at most 2,000 characters)' },
      { flag: '--public', text: 'show it on the status page', default: 'internal only' },
      { flag: '--by NAME', text: 'who', default: '$USER, else obs' },
      AT_OPTION,
      JSON_OPTION,
    ],
    examples: ['obs incidents update inc-3f2a9c1b04 --message "Payments are failing over to the backup provider." --public'],
  }),
};

const iso = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString());

/** The local DuckDB file only, like `obs alerts`: production incidents are in Firestore. */
async function withStore<T>(app: LocalApp, work: (store: WarehouseIncidentStore) => Promise<T>): Promise<T> {
  if (app.config.warehouse !== 'duckdb') {
    throw new Error('obs incidents works on the local DuckDB warehouse; unset OBS_WAREHOUSE (or set it to duckdb). In production incidents are in Firestore: GET /api/incidents on the dashboard function.');
  }
  return app.withWarehouse((warehouse) => work(new WarehouseIncidentStore(warehouse, app.redactor)));
}

const nowFrom = (at: string | undefined, app: LocalApp): number => nowAt(at, app.clock);

/** One timeline line, readable. */
const describeEntry = (e: IncidentEntry): string => `  ${iso(e.atMs)}  ${timelineText(e)}`;

function describeIncident(i: Incident): string {
  const head = [`${i.id}  ${i.status}  ${i.title}`, `  opened ${iso(i.openedAtMs)}${i.acknowledgedAtMs === null ? '' : `, acknowledged ${iso(i.acknowledgedAtMs)} by ${i.acknowledgedBy ?? '?'}`}${i.resolvedAtMs === null ? '' : `, resolved ${iso(i.resolvedAtMs)}`}`];
  head.push(`  alerts: ${i.alerts.map((a) => `${a.severity} ${a.fingerprint}${a.resolvedAtMs === null ? '' : ' (resolved)'}`).join(', ')}`, 'Timeline:');
  return [...head, ...i.timeline.map(describeEntry)].join('\n');
}

function printList(incidents: readonly Incident[], io: CommandIo): void {
  if (incidents.length === 0) {
    io.out('No incidents.');
    return;
  }
  const rows = incidents.map((i) => [i.id, i.status, i.severity, i.module, iso(i.openedAtMs), String(i.alerts.length), i.acknowledgedBy ?? '—']);
  const header = ['ID', 'STATUS', 'SEV', 'MODULE', 'OPENED', 'ALERTS', 'ACK BY'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
  io.out([header, ...rows].map((r) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd()).join('\n'));
}

const who = (by: string | undefined) => by ?? process.env.USER ?? 'obs';

async function run(sub: string | undefined, args: string[], io: CommandIo, app: LocalApp): Promise<number> {
  if (sub === 'list') {
    const { values } = parseArgs({ args, options: { all: { type: 'boolean' }, at: { type: 'string' }, json: { type: 'boolean' } } });
    const nowMs = nowFrom(values.at, app);
    return withStore(app, async (store) => {
      const incidents = await store.load(nowMs - (values.all ? ALL_INCIDENTS_MS : RECENT_INCIDENTS_MS));
      if (values.json) io.out(JSON.stringify({ incidents: incidents.map(incidentJson) }, null, 2));
      else printList(incidents, io);
      return EXIT.OK;
    });
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, at: { type: 'string' }, by: { type: 'string' }, message: { type: 'string' }, public: { type: 'boolean' } },
  });
  if (sub !== 'show' && sub !== 'ack' && sub !== 'update') throw new UsageError(sub === undefined ? 'which one?' : `unknown sub-command "${sub}"`);
  if (positionals.length !== 1) throw new UsageError(`obs incidents ${sub} takes one incident id`);
  const id = positionals[0] as string;
  const nowMs = nowFrom(values.at, app);
  if (sub === 'update' && values.message === undefined) throw new UsageError('--message is required');
  return withStore(app, async (store) => {
    let incident: Incident;
    let changed = true;
    if (sub === 'show') {
      const found = await store.get(id);
      if (!found) throw new IncidentNotFoundError(id);
      incident = found;
    } else if (sub === 'ack') {
      ({ incident, changed } = await acknowledgeIncident(store, id, who(values.by), 'cli', nowMs));
    } else {
      ({ incident } = await postIncidentUpdate(store, id, { message: values.message as string, public: values.public === true, by: who(values.by) }, nowMs));
    }
    if (values.json) io.out(JSON.stringify({ incident: incidentJson(incident), ...(sub === 'show' ? {} : { changed }) }, null, 2));
    else if (sub === 'ack') io.out(changed ? `Acknowledged ${id}: reminders of its alerts stop.` : `${id} is already ${incident.status} (by ${incident.acknowledgedBy ?? incident.resolvedVia ?? '?'}); nothing changed.`);
    else if (sub === 'update') io.out(`Update added to ${id}${values.public === true ? ' (public: shown on /status)' : ''}.`);
    else io.out(describeIncident(incident));
    return EXIT.OK;
  });
}

/** `obs incidents list|show|ack|update`: incidents and their timelines (issue #16). */
export const incidentsCommand: Command = {
  name: 'incidents',
  usage: 'obs incidents list|show|ack|update ...',
  summary: 'List incidents, show one with its timeline, acknowledge one, post an update',
  help(path) {
    const text = path[0] === undefined ? undefined : HELP[path[0]];
    return text ?? ['obs incidents list|show|ack|update — incidents (grouped alerts) and their timelines.', 'Each sub-command takes --help.', '', ...Object.values(HELP).flatMap((h) => [h, ''])].join('\n').trimEnd();
  },
  async run(args, io, context) {
    const [sub, ...rest] = args;
    return runSubcommand(this, USAGE, io, () => run(sub, rest, io, appOf(context)), {
      isUsage: (error) => error instanceof IncidentInputError,
      codeOf: (error) => (error instanceof IncidentNotFoundError ? EXIT.FAILED : exitCodeOf(error)),
    });
  },
};
