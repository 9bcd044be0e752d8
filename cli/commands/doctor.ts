import { parseArgs } from 'node:util';
import { configSecretValues, redactSecrets } from '../../shared/config';
import { parseInstantMs } from '../../shared/time-windows';
import { EXIT, EXIT_USAGE, type Command, type CommandIo } from '../command';
import { messageOf, type CheckResult } from '../doctor/check';
import { firestoreCheck, pubsubCheck } from '../doctor/service-checks';
import { channelsCheck, configCheck, heartbeatCheck } from '../doctor/setup-checks';
import { DOCTOR_JOBS, warehouseChecks } from '../doctor/warehouse-checks';

export type { CheckResult, CheckStatus } from '../doctor/check';

export interface DoctorOptions {
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** "Now" for job freshness. Default: the system clock. */
  readonly nowMs?: number;
  /** Send one real ping to OBS_HEARTBEAT_URL. */
  readonly ping?: boolean;
}

/** The names of doctor's checks, in the order it prints them. */
export const DOCTOR_CHECKS = ['config', 'warehouse', 'schema', 'pubsub', 'firestore', ...DOCTOR_JOBS.map((j) => `job:${j}`), 'channels', 'heartbeat'] as const;

/**
 * Every check, one result each, in {@link DOCTOR_CHECKS} order. Never throws; a check that cannot
 * run because an earlier one failed says so (`skip`). Secrets of the configuration are redacted
 * from every detail.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<CheckResult[]> {
  const { check: config, config: parsed } = configCheck(options.env ?? process.env);
  if (!parsed) return [config, ...DOCTOR_CHECKS.slice(1).map((name): CheckResult => ({ name, status: 'skip', detail: 'the configuration is invalid' }))];
  const clock = () => options.nowMs ?? Date.now();
  // A check that throws is a failed check, never a crashed doctor.
  const guard = <T extends CheckResult | CheckResult[]>(names: string[], run: () => Promise<T>): Promise<T | CheckResult[]> =>
    run().catch((error: unknown) => names.map((name): CheckResult => ({ name, status: 'fail', detail: `the check itself failed: ${messageOf(error)}` })));
  const [warehouse, pubsub, firestore, channels, heartbeat] = await Promise.all([
    guard(['warehouse', 'schema', ...DOCTOR_JOBS.map((j) => `job:${j}`)], () => warehouseChecks(parsed, clock)),
    guard(['pubsub'], () => pubsubCheck(parsed, clock)),
    guard(['firestore'], () => firestoreCheck(parsed, clock)),
    guard(['channels'], () => channelsCheck(parsed, clock)),
    guard(['heartbeat'], () => heartbeatCheck(parsed, options.ping ?? false)),
  ]);
  const results = [config, ...[warehouse, pubsub, firestore, channels, heartbeat].flat()];
  const order = (r: CheckResult) => (DOCTOR_CHECKS as readonly string[]).indexOf(r.name);
  results.sort((a, b) => order(a) - order(b));
  const secrets = configSecretValues(parsed);
  return results.map((r) => ({ ...r, detail: redactSecrets(r.detail, secrets) }));
}

/**
 * 1 on any problem: a `fail`, or a `warn` (issue #11: "exit status 1 on any problem" — nobody to
 * page in production, no heartbeat in production, a job late by more than 5 minutes or never run
 * are problems a deploy script should stop on). `skip` is not a problem. The lines tell warn from fail.
 */
export function doctorExitCode(results: readonly CheckResult[]): number {
  // An invalid environment is a configuration error, the same status every command gives it (cli/command.ts EXIT).
  if (results.some((r) => r.name === 'config' && r.status === 'fail')) return EXIT.CONFIG;
  return results.some((r) => r.status === 'fail' || r.status === 'warn') ? EXIT.FAILED : EXIT.OK;
}

export function formatDoctor(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `${r.status.padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`);
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warn, ${count('fail')} fail, ${count('skip')} skipped`);
  return lines.join('\n');
}

export const DOCTOR_HELP = `usage: obs doctor [--json] [--ping] [--at ISO]

Checks this installation and prints one line per check: status (ok, warn, fail, skip), name, detail.
Exit status 0 when every check is ok or skipped; 1 on any problem (a fail or a warn); 78 when the
configuration itself is invalid (as from every command); 64 on bad usage.

Checks:
  config      the environment parses (shared/config.ts); a bad variable is named
  warehouse   the warehouse answers (DuckDB file or BigQuery dataset). Nothing is created: a missing
              DuckDB file fails. While \`obs start\` holds the DuckDB file, doctor asks it instead
              ("held by obs start pid N")
  schema      every table of sql/tables.ts exists with its columns (there is no schema version number)
  pubsub      the metrics topic exists (OBSERVABILITY_PROVIDER=pubsub or PUBSUB_EMULATOR_HOST set)
  firestore   a write and a read succeed (FIRESTORE_EMULATOR_HOST set, or production)
  job:rollup, job:slo, job:alerts
              each job's last run (job_state): warn past 5 min, fail past 15 min
  channels    which of Slack on-call, Slack safety, PagerDuty, SMTP are set (never their values);
              warn in production when nobody can be paged
  heartbeat   OBS_HEARTBEAT_URL set (only its host is printed); warn when unset in production

Options:
  --json      an array of {"name", "status", "detail"} objects
  --ping      send one real ping to OBS_HEARTBEAT_URL and report the answer (the outside monitor
              then counts the evaluator as alive: use it when setting the monitor up)
  --at ISO    "now" for the job freshness checks (default: the clock)

Example:
  obs doctor
  OBS_WAREHOUSE=bigquery GOOGLE_CLOUD_PROJECT=my-project obs doctor --json

Docs: docs/OPERATIONS.md ("obs doctor", "Dead man's switch").`;

/** `obs doctor [--json] [--ping] [--at ISO]`: is this installation healthy, one check per line. */
export const doctorCommand: Command = {
  name: 'doctor',
  usage: 'obs doctor [--json] [--ping] [--at ISO]',
  summary: 'Check configuration, warehouse, schema, Pub/Sub, Firestore, job freshness, channels and the heartbeat; exit 1 on any problem',
  help: () => DOCTOR_HELP,
  async run(args: string[], io: CommandIo): Promise<number> {
    let values: { json?: boolean; ping?: boolean; at?: string; help?: boolean };
    let nowMs: number | undefined;
    try {
      values = parseArgs({ args, options: { json: { type: 'boolean' }, ping: { type: 'boolean' }, at: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
      nowMs = values.at === undefined ? undefined : parseInstantMs(values.at);
    } catch (error) {
      io.err(`obs doctor: ${(error as Error).message}\nusage: ${this.usage}`);
      return EXIT_USAGE;
    }
    if (values.help) {
      io.out(DOCTOR_HELP);
      return 0;
    }
    const results = await runDoctor({ ping: values.ping ?? false, ...(nowMs === undefined ? {} : { nowMs }) });
    io.out(values.json ? JSON.stringify(results, null, 2) : formatDoctor(results));
    return doctorExitCode(results);
  },
};
