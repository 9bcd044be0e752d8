/**
 * Issue #18: events and bytes published per million calls, aggregating (the default) beside one
 * event per call (`aggregation: 'none'`), side by side in one run, on
 *
 *   realistic   the local stack's traffic profile (cli/local/demo/traffic-profile.ts, HEALTHY_TRAFFIC:
 *               ~60 series over every module), one call per occurrence as application code makes
 *               them (a count of 1 per request, one timing per observation, a gauge reading every
 *               10 s), at the profile's own rates (×1, ~44 calls/s) and scaled ×10, ×100, ×1000
 *               (a busy service instance); calls spread over each second in time order;
 *   burst       the burst: one counter, bursts of 5,000 calls every 50 ms;
 *   burst-1k    1,000 series, bursts of 10,000 calls back to back (the burst test's shape).
 *
 * Time is simulated (the emitter's `now` option) and the flush interval is the default 1 s: the
 * bench flushes at every simulated second, as the interval timer would. Both modes publish to a
 * sink that counts messages and bytes; every call must be published (dropped = 0).
 *
 * Target (issue #18): ≥ 50× fewer events on the realistic profile.
 */
import { cpus, loadavg } from 'node:os';
import { seededRandom } from '../cli/local/demo/random';
import { createEmitter, EMITTER_DEFAULTS, type AggregationChoice, type Transport } from '../emitter';
import { realisticSecond, type Call } from './realistic-calls';

const CALLS = 1_000_000;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const SECOND = 1_000;

interface Outcome {
  calls: number;
  events: number;
  bytes: number;
  messages: number;
  dropped: number;
  simulatedSeconds: number;
}

/** Runs `second(k)` for k = 0, 1, … until CALLS calls were made, flushing after each second. */
async function run(aggregation: AggregationChoice, second: (k: number, startMs: number) => Call[], flushEverySeconds = 1): Promise<Outcome> {
  let messages = 0;
  let bytes = 0;
  const sink: Transport = {
    name: 'sink',
    publish: (data) => {
      messages++;
      bytes += data.length;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  let now = T0;
  const emitter = createEmitter({
    transport: sink,
    aggregation,
    service: 'bench',
    environment: 'bench',
    now: () => now,
    // The bench flushes at each simulated second; the real timer must not fire in between.
    flushIntervalMs: 3_600_000,
    // One event per call holds up to a second's calls (100,000 in the burst): room for them, so
    // the comparison is of what is published, not of what a bound drops.
    ...(aggregation === 'none' ? { maxBufferedEvents: 1_000_000, maxBufferedBytes: 400_000_000 } : {}),
    selfMetricsIntervalMs: 0,
    handleProcessSignals: false,
  });
  let made = 0;
  let k = 0;
  while (made < CALLS) {
    const startMs = T0 + k * SECOND;
    for (const call of second(k, startMs)) {
      if (made === CALLS) break;
      now = call.at;
      call.emit(emitter);
      made++;
    }
    now = startMs + SECOND;
    k++;
    if (k % flushEverySeconds === 0 || made === CALLS) await emitter.flush();
  }
  await emitter.shutdown();
  const stats = emitter.stats();
  return { calls: made, events: stats.eventsPublished, bytes, messages, dropped: stats.dropped, simulatedSeconds: k };
}

interface Profile {
  label: string;
  second(random: () => number): (k: number, startMs: number) => Call[];
  target?: number;
  /** flushIntervalMs / 1000 for the aggregating run (default: the default interval). */
  flushEverySeconds?: number;
}

const BURST_SERIES = Array.from({ length: 1_000 }, (_, i) => ({ channel: ['dm', 'group', 'room', 'broadcast'][i % 4] as string, message_type: `type_${Math.floor(i / 4)}` }));

const profiles: Profile[] = [
  ...[1, 10, 100, 1_000].map((scale) => ({
    label: `realistic ×${scale}`,
    second: (random: () => number) => (_k: number, startMs: number) => realisticSecond(random, scale, startMs),
    target: 50,
  })),
  {
    label: 'realistic ×1, flushIntervalMs 60,000',
    second: (random: () => number) => (_k: number, startMs: number) => realisticSecond(random, 1, startMs),
    flushEverySeconds: 60,
  },
  {
    label: 'burst: 1 counter, 5,000 every 50 ms',
    second: () => (_k: number, startMs: number) => {
      const calls: Call[] = [];
      for (let b = 0; b < 20; b++) for (let i = 0; i < 5_000; i++) calls.push({ at: startMs + b * 50, emit: (e) => void e.count('product.wallet.spend.success', 1, { feature: 'chat' }) });
      return calls;
    },
  },
  {
    label: 'burst-1k: 1,000 series, 10,000 back to back',
    second: () => (_k: number, startMs: number) => {
      const calls: Call[] = [];
      // 100,000 calls a second: ten bursts of 10,000, each across the 1,000 series.
      for (let b = 0; b < 10; b++) for (let i = 0; i < 10_000; i++) calls.push({ at: startMs + b * 100, emit: (e) => void e.count('product.chat.message.count', 1, BURST_SERIES[i % 1_000]) });
      return calls;
    },
  },
];

async function main(): Promise<void> {
  const rows: string[] = [];
  let failed = false;
  const perMillion = (n: number, calls: number) => (n * 1_000_000) / calls;
  for (const profile of profiles) {
    // The same seed for both modes: the same calls at the same times.
    const merged = await run('series', profile.second(seededRandom(18)), profile.flushEverySeconds);
    const single = await run('none', profile.second(seededRandom(18)));
    if (merged.dropped > 0 || single.dropped > 0) failed = true;
    const eventRatio = single.events / merged.events;
    const byteRatio = single.bytes / merged.bytes;
    const verdict = profile.target === undefined ? '' : eventRatio >= profile.target ? ' (≥ 50×: met)' : ' (≥ 50×: MISSED)';
    const cells = [
      profile.label.padEnd(44),
      (merged.calls / merged.simulatedSeconds).toFixed(0).padStart(8),
      perMillion(merged.events, merged.calls).toFixed(0).padStart(14),
      perMillion(single.events, single.calls).toFixed(0).padStart(14),
      `${eventRatio.toFixed(1)}×${verdict}`.padStart(24),
      (perMillion(merged.bytes, merged.calls) / 1e6).toFixed(2).padStart(10),
      (perMillion(single.bytes, single.calls) / 1e6).toFixed(2).padStart(10),
      `${byteRatio.toFixed(1)}×`.padStart(11),
      String(merged.dropped + single.dropped).padStart(7),
    ];
    rows.push(`| ${cells.join(' | ')} |`);
  }
  const out = [
    `Events and bytes published per 1,000,000 calls, aggregating (default flush interval ${EMITTER_DEFAULTS.flushIntervalMs} ms) vs one event per call (node ${process.version})`,
    '',
    `| ${'profile'.padEnd(44)} |  calls/s | events, merged | events, 1/call | ${'fewer events'.padStart(24)} | MB, merged | MB, 1/call | fewer bytes | dropped |`,
    `|${'-'.repeat(46)}|----------|----------------|----------------|${'-'.repeat(26)}|------------|------------|-------------|---------|`,
    ...rows,
    '',
    'calls/s: the simulated rate. Merging works per series and per second: a series called less than once a second gains nothing, so the realistic',
    "profile's ratio grows with its rate — at the demo's own rates (×1) most series see under one call a second. A longer flushIntervalMs",
    'merges more (the last row); an aggregate still never spans a UTC minute.',
    `load average while it ran: ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} CPUs (counts of events and bytes do not depend on it)`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  if (failed) process.exitCode = 1;
}

void main();
