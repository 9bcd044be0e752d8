/**
 * The emitter's caller-path cost beside the libraries it replaces, in one process, interleaved:
 * ns per call, median of ROUNDS rounds of CALLS_PER_ROUND calls after WARMUP_ROUNDS warm-up rounds,
 * each call with the same two tags drawn from small rotating sets (as a real service would):
 *
 *   ours        metricCount('product.wallet.spend.failed', 1, { feature, reason })   aggregating (the default)
 *               the same through a tagged emitter per label set (as prom-client's labels() children)
 *               the same with aggregation: 'none' (one event per call, the pre-#18 mode)
 *   prom-client counter.labels(feature, reason).inc()           (own Registry)
 *   OpenTelemetry counter.add(1, { feature, reason })          (MeterProvider + PeriodicExportingMetricReader)
 *   hot-shots   statsd.increment(name, 1, { feature, reason })  (UDP to a closed 127.0.0.1 port, 8 KB buffer;
 *                                                              and separately its mock mode)
 *
 * Our calls go to a sink transport that accepts every message: the caller's path does not depend
 * on the transport. What we defer (validation, PII guard, JSON, batching) is measured too, per
 * event, by timing the flush after each round: that work is off the caller's path but not free.
 *
 * Targets: issue #18, aggregating: ours ≤ half of prom-client and below OpenTelemetry (ratios
 * ≤ 0.5 and < 1.0); issue #3, one event per call: ≤ prom-client and ≤ OpenTelemetry.
 */
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { StatsD } from 'hot-shots';
import { Counter, Registry } from 'prom-client';
import { cpus, loadavg } from 'node:os';
import { freePort } from '../cli/local/emulators';
import { configureMetrics, createEmitter, createTaggedEmitter, flushMetrics, getEmitterStats, metricCount, type TaggedEmitter, type Transport } from '../emitter';

const CALLS_PER_ROUND = 100_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 11;
const FEATURES = ['chat', 'call', 'gift', 'boost'];
const REASONS = ['insufficient_funds', 'limit_reached'];
const NAME = 'product.wallet.spend.failed';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

interface Subject {
  label: string;
  run(calls: number): void;
  /** Untimed work after each round (drain buffers), timed separately when `deferred` is set. */
  after?(): Promise<void>;
  deferred?: boolean;
}

const sink: Transport = { name: 'sink', publish: () => Promise.resolve(), close: () => Promise.resolve() };

async function main(): Promise<void> {
  configureMetrics({
    transport: sink,
    service: 'bench',
    environment: 'bench',
    maxBufferedEvents: CALLS_PER_ROUND * 2,
    maxBatchEvents: 1_000,
    flushIntervalMs: 3_600_000,
    selfMetricsIntervalMs: 0,
    handleProcessSignals: false,
  });
  const tagged = createTaggedEmitter({ platform: 'ios' });
  // One tagged emitter per label set, made once, as code holding prom-client's labels() children would.
  const children: TaggedEmitter[] = Array.from({ length: 8 }, (_, i) => createTaggedEmitter({ feature: FEATURES[i & 3] as string, reason: REASONS[i & 1] as string }));
  const perCall = createEmitter({
    transport: sink,
    aggregation: 'none',
    service: 'bench',
    environment: 'bench',
    maxBufferedEvents: CALLS_PER_ROUND * 2,
    // A round's 100,000 raw calls are ~20 MB by the emitter's estimate: above the 8 MB default.
    maxBufferedBytes: 64_000_000,
    flushIntervalMs: 3_600_000,
    selfMetricsIntervalMs: 0,
    handleProcessSignals: false,
  });

  const registry = new Registry();
  const promCounter = new Counter({ name: 'wallet_spend_failed', help: 'h', labelNames: ['feature', 'reason'], registers: [registry] });

  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 })],
  });
  const otelCounter = meterProvider.getMeter('bench').createCounter(NAME);

  const closedPort = await freePort();
  const statsd = new StatsD({ host: '127.0.0.1', port: closedPort, maxBufferSize: 8_192, errorHandler: () => undefined });
  const statsdMock = new StatsD({ mock: true });

  // Read once, as compiled code reads it: under tsx every read of an imported binding is a getter
  // call, which would be charged to our calls and not to prom-client's (a property of an object).
  const count = metricCount;
  const subjects: Subject[] = [
    {
      label: 'ours, aggregating: metricCount, 2 tags (object)',
      run: (n) => {
        for (let i = 0; i < n; i++) void count(NAME, 1, { feature: FEATURES[i & 3], reason: REASONS[i & 1] });
      },
      after: () => flushMetrics(),
      deferred: true,
    },
    {
      label: "ours, aggregating: metricCount, 2 tags (seed's array form)",
      run: (n) => {
        for (let i = 0; i < n; i++) void count(NAME, 1, [{ key: 'feature', value: FEATURES[i & 3] }, { key: 'reason', value: REASONS[i & 1] }]);
      },
      after: () => flushMetrics(),
    },
    {
      label: 'ours, aggregating: tagged emitter + 2 call tags',
      run: (n) => {
        for (let i = 0; i < n; i++) void tagged.count(NAME, 1, { feature: FEATURES[i & 3], reason: REASONS[i & 1] });
      },
      after: () => flushMetrics(),
    },
    {
      label: 'ours, aggregating: tagged emitter per label set',
      run: (n) => {
        for (let i = 0; i < n; i++) void (children[i & 7] as TaggedEmitter).count(NAME);
      },
      after: () => flushMetrics(),
    },
    {
      label: 'ours, one event per call: 2 tags (object)',
      run: (n) => {
        for (let i = 0; i < n; i++) void perCall.count(NAME, 1, { feature: FEATURES[i & 3], reason: REASONS[i & 1] });
      },
      after: () => perCall.flush(),
    },
    {
      label: 'prom-client: labels(a, b).inc()',
      run: (n) => {
        for (let i = 0; i < n; i++) promCounter.labels(FEATURES[i & 3] as string, REASONS[i & 1] as string).inc();
      },
    },
    {
      label: 'OpenTelemetry: counter.add(1, attrs)',
      run: (n) => {
        for (let i = 0; i < n; i++) otelCounter.add(1, { feature: FEATURES[i & 3], reason: REASONS[i & 1] });
      },
    },
    {
      label: 'hot-shots: increment, UDP closed port',
      run: (n) => {
        for (let i = 0; i < n; i++) statsd.increment(NAME, 1, { feature: FEATURES[i & 3] as string, reason: REASONS[i & 1] as string });
      },
    },
    {
      label: 'hot-shots: increment, mock mode',
      run: (n) => {
        for (let i = 0; i < n; i++) statsdMock.increment(NAME, 1, { feature: FEATURES[i & 3] as string, reason: REASONS[i & 1] as string });
      },
      after: () => {
        (statsdMock.mockBuffer as string[]).length = 0;
        return Promise.resolve();
      },
    },
  ];

  const samples = new Map<string, number[]>(subjects.map((s) => [s.label, []]));
  const deferredNs: number[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    // Rotate the order each round so no library always runs right after another's garbage.
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[(round + k) % subjects.length] as Subject;
      gc();
      const started = process.hrtime.bigint();
      subject.run(CALLS_PER_ROUND);
      const ns = Number(process.hrtime.bigint() - started) / CALLS_PER_ROUND;
      const flushStarted = process.hrtime.bigint();
      await subject.after?.();
      const flushNs = Number(process.hrtime.bigint() - flushStarted) / CALLS_PER_ROUND;
      if (round >= WARMUP_ROUNDS) {
        samples.get(subject.label)?.push(ns);
        if (subject.deferred) deferredNs.push(flushNs);
      }
    }
  }

  const stats = getEmitterStats();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const ours = median(samples.get(subjects[0]?.label as string) as number[]);
  const prom = median(samples.get('prom-client: labels(a, b).inc()') as number[]);
  const otel = median(samples.get('OpenTelemetry: counter.add(1, attrs)') as number[]);
  const raw = median(samples.get('ours, one event per call: 2 tags (object)') as number[]);
  const perCallStats = perCall.stats();

  const rows = subjects.map((s) => {
    const xs = samples.get(s.label) as number[];
    const m = median(xs);
    return `| ${s.label.padEnd(60)} | ${m.toFixed(1).padStart(8)} | ${Math.min(...xs).toFixed(1).padStart(7)} | ${Math.max(...xs).toFixed(1).padStart(7)} | ${(ours / m).toFixed(2).padStart(12)} |`;
  });
  const out = [
    `Caller-path cost, ns per call: median of ${ROUNDS} rounds × ${CALLS_PER_ROUND.toLocaleString('en')} calls after ${WARMUP_ROUNDS} warm-up rounds (node ${process.version})`,
    '',
    `| ${'call'.padEnd(60)} | ${'median'.padStart(8)} | ${'min'.padStart(7)} | ${'max'.padStart(7)} | ours ÷ this |`,
    `|${'-'.repeat(62)}|${'-'.repeat(10)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(14)}|`,
    ...rows,
    '',
    `aggregating ÷ prom-client   = ${(ours / prom).toFixed(2)}  (issue #18 target ≤ 0.5: ${ours <= prom / 2 ? 'met' : 'MISSED'})`,
    `aggregating ÷ OpenTelemetry = ${(ours / otel).toFixed(2)}  (issue #18 target < 1.0: ${ours < otel ? 'met' : 'MISSED'})`,
    `one event per call ÷ prom-client = ${(raw / prom).toFixed(2)}, ÷ OpenTelemetry = ${(raw / otel).toFixed(2)}  (issue #3 targets ≤ 1.0)`,
    `deferred work per call, off the caller's path (merged events: validate + JSON + batch, at flush): ${median(deferredNs).toFixed(0)} ns`,
    `emitter accounting after the run (aggregating, in calls): emitted ${stats.emitted.toLocaleString('en')}, published ${stats.published.toLocaleString('en')} in ${stats.eventsPublished.toLocaleString('en')} events, dropped ${stats.dropped}, pending ${stats.pending}`,
    `one event per call: emitted ${perCallStats.emitted.toLocaleString('en')}, published ${perCallStats.published.toLocaleString('en')} in ${perCallStats.eventsPublished.toLocaleString('en')} events, dropped ${perCallStats.dropped}`,
    `load average while it ran: ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} CPUs (a shared machine: compare the ratios, not the ns)`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  statsd.close();
  statsdMock.close();
  await meterProvider.shutdown();
  await perCall.shutdown();
  if (stats.dropped !== 0 || perCallStats.dropped !== 0 || ours > prom / 2 || ours >= otel) process.exitCode = 1;
}

void main();
