import { parseArgs } from 'node:util';
import { ConfigError, isMetricName, METRICS } from '../../shared';
import { createEmitter, type DropReason, type EmitterStats } from '../../emitter';
import { resolveOptions } from '../../emitter/options';
import { EXIT_USAGE, type Command, type CommandIo } from '../command';

/** Bad configuration (EX_CONFIG from sysexits.h). */
const EXIT_CONFIG = 78;

/** A one-shot command should not wait the library's full 30 s on a dead transport. */
const CLI_RETRY_WINDOW_MS = 10_000;

const USAGE = 'obs emit <metric> [value] [--tag k=v ...] [--at ISO] [--json]';

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

/** `obs emit`: one event through the emitter with the configured transport, flushed, and what became of it. */
export const emitCommand: Command = {
  name: 'emit',
  usage: USAGE,
  summary: 'Emit one metric event through the emitter (OBSERVABILITY_PROVIDER decides where) and say what happened',
  async run(args: string[], io: CommandIo): Promise<number> {
    const input = parse(args);
    if (typeof input === 'string') {
      io.err(`obs emit: ${input}\nusage: ${USAGE}`);
      return EXIT_USAGE;
    }
    // An unknown name is still sent through the emitter, which drops it and says why.
    const kind = isMetricName(input.name) ? METRICS[input.name].kind : 'count';
    if (input.value === undefined && kind !== 'count') {
      io.err(`obs emit: ${input.name} is a ${kind} metric: give a value\nusage: ${USAGE}`);
      return EXIT_USAGE;
    }
    const value = input.value ?? 1;
    // No self metrics: a one-shot command would only add its own report to the topic. No
    // warnings either: the outcome line below says what happened, once.
    const options = { service: 'obs-cli', retryWindowMs: CLI_RETRY_WINDOW_MS, selfMetricsIntervalMs: 0, logger: { warn: () => undefined } };
    let emitter;
    let resolved;
    try {
      resolved = resolveOptions(options);
      emitter = createEmitter(options);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(`obs emit: ${error.message}`);
      return EXIT_CONFIG;
    }
    const call = { count: emitter.count, timing: emitter.timing, gauge: emitter.gauge }[kind] as (n: string, v: number, t: object, ts?: number) => Promise<void>;
    await call(input.name, value, input.tags, input.atMs);
    await emitter.flush();
    await emitter.shutdown();
    const stats = emitter.stats();
    const published = stats.published === 1;
    const reason = published ? undefined : firstDropReason(stats);
    const where = stats.transport === 'pubsub' ? `topic ${resolved.topic}${resolved.emulatorHost ? ` on the emulator at ${resolved.emulatorHost}` : ''}` : undefined;
    let message = stats.lastDrop?.message;
    if (reason === 'disabled') message = `${message}; set OBSERVABILITY_PROVIDER=pubsub (and PUBSUB_EMULATOR_HOST for the local emulator) to publish`;

    if (input.json) {
      io.out(JSON.stringify({ outcome: published ? 'published' : 'dropped', metric: input.name, kind, value, tags: input.tags, ts: input.atMs, transport: stats.transport, topic: where ? resolved.topic : undefined, reason, message }));
    } else {
      const tagText = Object.entries(input.tags).map(([k, v]) => `${k}=${v}`).join(',');
      const event = `${input.name} ${kind} ${value}${tagText ? ` {${tagText}}` : ''}`;
      io.out(published ? `published ${event} via ${stats.transport}${where ? ` (${where})` : ''}` : `dropped ${event}: ${reason ?? 'unknown'} — ${message ?? 'no reason recorded'}`);
    }
    return published ? 0 : 1;
  },
};
