import { notBuiltYet, type Command } from '../command';
import { alertsCommand } from './alerts';
import { catalogCommand } from './catalog';
import { emitCommand } from './emit';
import { startCommand } from './start';

/** Every `obs` command, in the order `obs --help` lists them. One line each. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  catalogCommand,
  emitCommand,
  notBuiltYet('ingest', 'obs ingest --file events.ndjson', 'Load a file of v1 events through the ingest handler', 4),
  notBuiltYet('aggregate', 'obs aggregate [--at ISO]', 'Run the rollup and SLO jobs', 5),
  notBuiltYet('rebuild', 'obs rebuild --from ISO --to ISO', 'Recompute rollups from the raw events', 5),
  notBuiltYet('slo', 'obs slo status|report ...', 'SLO attainment, error budgets and monthly reports', 5),
  alertsCommand,
];
