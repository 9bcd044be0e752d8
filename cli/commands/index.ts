import type { Command } from '../command';
import { aggregateCommand } from './aggregate';
import { alertsCommand } from './alerts';
import { maintenanceCommand } from './maintenance';
import { incidentsCommand } from './incidents';
import { catalogCommand } from './catalog';
import { costCommand } from './cost';
import { dashboardsCommand } from './dashboards';
import { doctorCommand } from './doctor';
import { rebuildCommand } from './rebuild';
import { retentionCommand } from './retention';
import { migrateCommand } from './migrate';
import { sloCommand } from './slo';
import { emitCommand } from './emit';
import { ingestCommand } from './ingest';
import { startCommand } from './start';
import { sqlCommand } from './sql';

/** Every `obs` command, in the order `obs --help` lists them. One line each. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  catalogCommand,
  emitCommand,
  ingestCommand,
  aggregateCommand,
  rebuildCommand,
  retentionCommand,
  migrateCommand,
  costCommand,
  sloCommand,
  dashboardsCommand,
  alertsCommand,
  maintenanceCommand,
  incidentsCommand,
  sqlCommand,
  // Checks of the whole setup (cli/commands/doctor.ts, cli/doctor/).
  doctorCommand,
];
