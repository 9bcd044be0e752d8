import { notBuiltYet, type Command } from '../command';
import { alertsCommand } from './alerts';
import { catalogCommand } from './catalog';
import { emitCommand } from './emit';
import { ingestCommand } from './ingest';
import { startCommand } from './start';

/** Every `obs` command, in the order `obs --help` lists them. One line each. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  catalogCommand,
  emitCommand,
  ingestCommand,
  notBuiltYet('aggregate', 'obs aggregate [--at ISO]', 'Run the rollup and SLO jobs', 5),
  notBuiltYet('rebuild', 'obs rebuild --from ISO --to ISO', 'Recompute rollups from the raw events', 5),
  notBuiltYet('slo', 'obs slo status|report ...', 'SLO attainment, error budgets and monthly reports', 5),
  alertsCommand,
];
