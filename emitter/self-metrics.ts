import { validateEvent, type MetricKind, type MetricName } from '../shared';
import type { Counters } from './counters';
import { DROP_REASONS, type DropReason } from './types';

interface Reported {
  emitted: number;
  published: number;
  dropped: Record<DropReason, number>;
}

export interface SelfEvent {
  json: string;
  bytes: number;
}

/**
 * The emitter's own metrics (`infra.metrics.emitter.*`), so the pipeline watches its first hop.
 * Counts are sent as deltas since the last report that was *published*: a report lost with a
 * failed message is folded into the next one, so the totals downstream stay exact. One report is
 * outstanding at a time for the same reason.
 */
export class SelfMetrics {
  private reported: Reported = { emitted: 0, published: 0, dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number> };
  private outstanding: Reported | undefined;

  constructor(
    private readonly service: string,
    private readonly transportName: string,
    private readonly nextId: () => string,
  ) {}

  /** The report's events, or none when one is outstanding or nothing changed. */
  build(counters: Counters, nowMs: number): SelfEvent[] {
    if (this.outstanding) return [];
    const current: Reported = {
      emitted: counters.emitted,
      published: counters.published,
      dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, counters.droppedFor(r)])) as Record<DropReason, number>,
    };
    const events: SelfEvent[] = [];
    const add = (name: MetricName, kind: MetricKind, value: number, tags: Record<string, string>) => {
      const event = { id: this.nextId(), name, kind, value, ts: nowMs, tags };
      // Our own events pass the same validator; if the service name itself is refused, say nothing
      // rather than fail: the stats still carry the numbers.
      if (!validateEvent(event, { nowMs }).ok) return;
      const json = JSON.stringify(event);
      events.push({ json, bytes: Buffer.byteLength(json, 'utf8') });
    };
    const service = this.service;
    const emitted = current.emitted - this.reported.emitted;
    const published = current.published - this.reported.published;
    if (emitted > 0) add('infra.metrics.emitter.emitted.count', 'count', emitted, { service });
    if (published > 0) add('infra.metrics.emitter.published.count', 'count', published, { service, transport: this.transportName });
    let droppedAny = false;
    for (const reason of DROP_REASONS) {
      const delta = current.dropped[reason] - this.reported.dropped[reason];
      if (delta > 0) {
        droppedAny = true;
        add('infra.metrics.emitter.dropped.count', 'count', delta, { service, reason });
      }
    }
    if (emitted > 0 || published > 0 || droppedAny) {
      add('infra.metrics.emitter.buffered', 'gauge', counters.buffered + counters.inFlight, { service });
    }
    if (events.length > 0) this.outstanding = current;
    return events;
  }

  /** The message carrying the outstanding report settled: advance on success, retry otherwise. */
  settled(published: boolean): void {
    if (published && this.outstanding) this.reported = this.outstanding;
    this.outstanding = undefined;
  }
}
