import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, isMetricName, loadConfig, METRICS, validateEvent } from '../../shared';
import { createEmitter, type DropReason, type EmitterStats, type MetricsClient } from '../../emitter';
import { resolveOptions, type EmitterOptions } from '../../emitter/options';
import { EXIT, formatHelp, JSON_OPTION, type Command, type CommandIo } from '../command';

/** A one-shot command should not wait the library's full 30 s on a dead transport. */
const CLI_RETRY_WINDOW_MS = 10_000;
/** The project `obs start` creates its topic in when GOOGLE_CLOUD_PROJECT is unset (cli/local/stack.ts). */
const LOCAL_PROJECT_ID = 'obs-local';

const USAGE = 'obs emit <metric> [value] [--tag k=v ...] [--at ISO] [--json]';

/** What to set when there is no stack to send through and no transport configured. */
const HOW_TO_SEND =
  'start the local stack in another shell (`npx obs start`): obs emit then sends through it; ' +
  'or publish to a Pub/Sub emulator yourself: OBSERVABILITY_PROVIDER=pubsub PUBSUB_EMULATOR_HOST=127.0.0.1:8085 GOOGLE_CLOUD_PROJECT=obs-local ' +
  '(the host and project the obs start banner shows on its "transport" line)';

const HELP = formatHelp({
  usage: USAGE,
  description:
    'Emits one metric event and says what became of it. The event is first checked as ingest checks it (metric catalogue,\n' +
    'kind, tags, personal data): a rejected event is reported with the validator\'s reasons and never sent.\n' +
    'While `obs start` runs (on OBS_DUCKDB_PATH) the event goes through the stack\'s own emitter and transport into its ingest.\n' +
    'Otherwise it is published with OBSERVABILITY_PROVIDER (pubsub: to METRICS_TOPIC in GOOGLE_CLOUD_PROJECT, on\n' +
    'PUBSUB_EMULATOR_HOST when set; GOOGLE_CLOUD_PROJECT defaults to obs-local with an emulator, as obs start does).',
  options: [
    { flag: 'value', text: 'the value; required for timing (ms) and gauge metrics', default: '1 for count metrics' },
    { flag: '--tag k=v, -t', text: 'a tag; repeat for several' },
    { flag: '--at ISO', text: 'the event time', default: 'now' },
    JSON_OPTION,
  ],
  examples: ['npx obs emit product.wallet.spend.success --tag feature=chat', 'npx obs emit infra.http.request.latency_ms 120 --tag endpoint=/api/spend --tag method=POST --json'],
  notes: 'Exit 0 sent; 1 not sent (rejected: unknown metric, personal data, a bad tag — or nowhere to send it, or the transport failed); 78 bad configuration.',
});

interface Parsed {
  name: string;
  value: number | undefined;
  tags: Record<string, string>;
  atMs: number | undefined;
  json: boolean;
}

function parse(args: string[]): Parsed | string {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { tag: { type: 'string', short: 't', multiple: true }, at: { type: 'string' }, json: { type: 'boolean' } },
    });
  } catch (error) {
    return (error as Error).message;
  }
  const [name, rawValue, ...extra] = parsed.positionals;
  if (name === undefined) return 'a metric name is required (`obs catalog` lists them)';
  if (extra.length > 0) return `unexpected arguments: ${extra.join(' ')}`;
  let value: number | undefined;
  if (rawValue !== undefined) {
    value = Number(rawValue);
    if (rawValue.trim() === '' || !Number.isFinite(value)) return `the value must be a number, got ${JSON.stringify(rawValue)}`;
  }
  const tags: Record<string, string> = {};
  for (const tag of parsed.values.tag ?? []) {
    const eq = tag.indexOf('=');
    if (eq <= 0) return `--tag must be key=value, got ${JSON.stringify(tag)}`;
    tags[tag.slice(0, eq)] = tag.slice(eq + 1);
  }
  let atMs: number | undefined;
  if (parsed.values.at !== undefined) {
    atMs = Date.parse(parsed.values.at);
    if (Number.isNaN(atMs)) return `--at must be an ISO time, got ${JSON.stringify(parsed.values.at)}`;
  }
  return { name, value, tags, atMs, json: parsed.values.json ?? false };
}

function firstDropReason(stats: EmitterStats): DropReason | undefined {
  return (Object.entries(stats.droppedByReason) as [DropReason, number][]).find(([, n]) => n > 0)?.[0];
}

/** The outcome of one `obs emit`, printed as a line or (--json) one object. */
interface Outcome {
  outcome: 'published' | 'dropped';
  transport: string;
  via?: string;
  reason?: string;
  message?: string;
  reasons?: Array<{ code: string; field: string; message: string }>;
}

function report(input: Parsed, kind: string, value: number, o: Outcome, io: CommandIo): void {
  if (input.json) {
    io.out(JSON.stringify({ ...o, metric: input.name, kind, value, tags: input.tags, ts: input.atMs }));
    return;
  }
  const tagText = Object.entries(input.tags).map(([k, v]) => `${k}=${v}`).join(',');
  const event = `${input.name} ${kind} ${value}${tagText ? ` {${tagText}}` : ''}`;
  if (o.outcome === 'published') io.out(`published ${event} via ${o.via}`);
  else if (o.reasons) io.out([`dropped ${event}: ${o.reason ?? 'invalid'} — ingest would refuse it, so it was not sent:`, ...o.reasons.map((r) => `  ${r.code} (${r.field}): ${r.message}`)].join('\n'));
  else io.out(`dropped ${event}: ${o.reason ?? 'unknown'} — ${o.message ?? 'no reason recorded'}`);
}

type Send = (emitter: MetricsClient, name: string, value: number, tags: Record<string, string>, ts: number | undefined) => Promise<void>;
const send = (kind: 'count' | 'timing' | 'gauge'): Send => (emitter, name, value, tags, ts) =>
  (emitter[kind] as (n: string, v: number, t: object, ts?: number) => Promise<void>)(name, value, tags, ts);

/** Through the running stack's emitter (this command runs inside `obs start`): its transport feeds its own ingest. */
async function viaStack(stackEmitter: MetricsClient, input: Parsed, sendIt: Send, value: number): Promise<Outcome> {
  const before = stackEmitter.stats();
  await sendIt(stackEmitter, input.name, value, input.tags, input.atMs);
  await stackEmitter.flush();
  const after = stackEmitter.stats();
  // Counters are the stack's (demo traffic shares them): a failed publish shows as new transport drops.
  const failedBy = (['retries_exhausted', 'rejected_by_transport', 'buffer_full'] as const).find((r) => after.droppedByReason[r] > before.droppedByReason[r]);
  if (failedBy) return { outcome: 'dropped', transport: after.transport, reason: failedBy, message: `the running stack's transport (${after.transport}) dropped events: ${after.lastDrop?.message ?? 'see the obs start output'}` };
  return { outcome: 'published', transport: after.transport, via: `the running obs start (${after.transport}); its ingest stores it within seconds` };
}

/** Through an emitter of this process, built from the environment (no stack runs). */
async function viaEnvironment(input: Parsed, sendIt: Send, value: number): Promise<Outcome | ConfigError> {
  const config = loadConfig();
  if (config.provider !== 'pubsub') {
    return { outcome: 'dropped', transport: 'none', reason: 'disabled', message: `no obs start is running on ${config.duckdbPath} and OBSERVABILITY_PROVIDER is ${process.env.OBSERVABILITY_PROVIDER ? JSON.stringify(config.provider) : 'unset (none)'}: ${HOW_TO_SEND}` };
  }
  // With an emulator and no project, the project obs start uses: the README's example works as written.
  const projectId = config.projectId ?? (config.pubsubEmulatorHost ? LOCAL_PROJECT_ID : undefined);
  // No self metrics: a one-shot command would only add its own report to the topic. No warnings
  // either: the outcome line says what happened, once.
  const options: EmitterOptions = { service: 'obs-cli', retryWindowMs: CLI_RETRY_WINDOW_MS, selfMetricsIntervalMs: 0, logger: { warn: () => undefined }, ...(projectId ? { projectId } : {}) };
  let emitter: MetricsClient;
  let resolved: ReturnType<typeof resolveOptions>;
  try {
    resolved = resolveOptions(options);
    emitter = createEmitter(options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  await sendIt(emitter, input.name, value, input.tags, input.atMs);
  await emitter.flush();
  await emitter.shutdown();
  const stats = emitter.stats();
  const where = `topic ${resolved.topic}${resolved.emulatorHost ? ` on the emulator at ${resolved.emulatorHost}` : ''}, project ${resolved.projectId ?? '(from the credentials)'}`;
  if (stats.published === 1) return { outcome: 'published', transport: stats.transport, via: `pubsub (${where})` };
  const reason = firstDropReason(stats);
  let message = stats.lastDrop?.message ?? 'no reason recorded';
  if (/not found/i.test(message)) {
    message += ` — ${where} does not exist. The local stack creates ${resolved.topic} in project ${LOCAL_PROJECT_ID} on its emulator: set GOOGLE_CLOUD_PROJECT=${LOCAL_PROJECT_ID} and the PUBSUB_EMULATOR_HOST its banner shows, or run obs emit while obs start runs`;
  }
  return { outcome: 'dropped', transport: stats.transport, ...(reason ? { reason } : {}), message };
}

/** `obs emit`: one event, checked as ingest checks it, through the running stack or the configured transport. */
export const emitCommand: Command = {
  name: 'emit',
  usage: USAGE,
  summary: 'Emit one metric event (through the running obs start, or OBSERVABILITY_PROVIDER) and say what happened',
  help: () => HELP,
  async run(args, io, context) {
    const input = parse(args);
    if (typeof input === 'string') {
      io.err(`obs emit: ${input}\nusage: ${USAGE}`);
      return EXIT.USAGE;
    }
    const kind = isMetricName(input.name) ? METRICS[input.name].kind : 'count';
    if (input.value === undefined && kind !== 'count') {
      io.err(`obs emit: ${input.name} is a ${kind} metric: give a value\nusage: ${USAGE}`);
      return EXIT.USAGE;
    }
    const value = input.value ?? 1;
    // Ingest's own checks (catalogue, kind, tags, the personal-data guard), whatever the transport:
    // an event the pipeline would dead-letter is reported here with every reason, and not sent.
    const checked = validateEvent({ id: randomUUID(), name: input.name, kind, value, ts: input.atMs ?? Date.now(), tags: input.tags });
    if (!checked.ok) {
      const reasons = checked.reasons.map((r) => ({ code: r.code, field: r.field, message: r.message }));
      // The emitter's drop reasons (emitter/types.ts): personal_data and unknown_metric by name, the rest `invalid`.
      const reason = reasons.find((r) => r.code === 'personal_data' || r.code === 'unknown_metric')?.code ?? 'invalid';
      report(input, kind, value, { outcome: 'dropped', transport: 'none (not sent)', reason, message: reasons.map((r) => r.message).join('; '), reasons }, io);
      return EXIT.FAILED;
    }
    const sendIt = send(kind);
    const stackEmitter = context?.app().emitter;
    const outcome = stackEmitter ? await viaStack(stackEmitter, input, sendIt, value) : await viaEnvironment(input, sendIt, value);
    if (outcome instanceof ConfigError) {
      io.err(`obs emit: ${outcome.message}`);
      return EXIT.CONFIG;
    }
    report(input, kind, value, outcome, io);
    return outcome.outcome === 'published' ? EXIT.OK : EXIT.FAILED;
  },
};
