import type { TaggedEmitter } from '../../../emitter';
import { countFor, logNormal, seededRandom } from './random';
import { DEMO_INCIDENT, HEALTHY_TRAFFIC, type Stream } from './traffic-profile';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Generates demo traffic through the real emitter: every module's metrics, at the rates of
 * {@link HEALTHY_TRAFFIC}, plus {@link DEMO_INCIDENT} at its time. `tick(from, to)` emits the
 * events of a span of (demo-clock) time with timestamps inside it; `backfill` emits 30 days of
 * history an hour at a time so SLO budgets start realistic.
 */
export class DemoTraffic {
  private readonly random: () => number;

  constructor(
    private readonly emitter: TaggedEmitter,
    private incidentAtMs: number | undefined,
    seed = 421,
  ) {
    this.random = seededRandom(seed);
  }

  /** Schedules {@link DEMO_INCIDENT} at `atMs` (the stack: once live traffic starts, issue 12). */
  scheduleIncident(atMs: number): void {
    this.incidentAtMs = atMs;
  }

  /** Emits the events of [fromMs, toMs). Returns how many events were emitted. */
  tick(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    const minutes = (toMs - fromMs) / MINUTE_MS;
    let emitted = 0;
    for (const stream of HEALTHY_TRAFFIC) emitted += this.emit(stream, fromMs, toMs, minutes);
    if (this.incidentAtMs !== undefined) {
      const start = Math.max(fromMs, this.incidentAtMs);
      const end = Math.min(toMs, this.incidentAtMs + DEMO_INCIDENT.durationMs);
      if (end > start) for (const stream of DEMO_INCIDENT.streams) emitted += this.emit(stream, start, end, (end - start) / MINUTE_MS);
    }
    return emitted;
  }

  /**
   * History for [fromMs, toMs), a clock hour per step (the first and last may be partial, so a
   * gap after existing history is filled without overlapping it): counts as one event per stream
   * and step carrying its total (a count event's value is how many), latencies as a few samples.
   * `onHour` lets the caller flush between hours (the emitter's buffer is bounded).
   */
  async backfill(fromMs: number, toMs: number, onHour: () => Promise<void>): Promise<number> {
    let emitted = 0;
    for (let hour = fromMs; hour < toMs; hour = Math.floor(hour / HOUR_MS) * HOUR_MS + HOUR_MS) {
      const end = Math.min(Math.floor(hour / HOUR_MS) * HOUR_MS + HOUR_MS, toMs);
      for (const stream of HEALTHY_TRAFFIC) {
        if (stream.kind === 'count') {
          const total = countFor(this.random, (stream.perMinute * (end - hour)) / MINUTE_MS);
          if (total > 0) {
            void this.emitter.count(stream.metric, total, stream.tags, Math.floor(hour + this.random() * (end - hour)));
            emitted++;
          }
        } else if (stream.kind === 'timing') {
          emitted += this.emit({ ...stream, perMinute: 0.1 }, hour, end, (end - hour) / MINUTE_MS);
        }
      }
      await onHour();
    }
    return emitted;
  }

  private emit(stream: Stream, fromMs: number, toMs: number, minutes: number): number {
    const at = () => Math.floor(fromMs + this.random() * (toMs - fromMs));
    switch (stream.kind) {
      case 'count': {
        const n = countFor(this.random, stream.perMinute * minutes);
        if (n > 0) void this.emitter.count(stream.metric, n, stream.tags, at());
        return n > 0 ? 1 : 0;
      }
      case 'timing': {
        const n = countFor(this.random, stream.perMinute * minutes);
        for (let i = 0; i < n; i++) void this.emitter.timing(stream.metric, Math.round(logNormal(this.random, stream.medianMs, stream.sigma) * 10) / 10, stream.tags, at());
        return n;
      }
      case 'gauge':
        void this.emitter.gauge(stream.metric, Math.round(stream.base + (this.random() * 2 - 1) * stream.jitter), stream.tags, toMs - 1);
        return 1;
    }
  }
}
