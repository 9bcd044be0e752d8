import { createHash, randomUUID } from 'node:crypto';
import { computeSliCounts } from '../../aggregator/slo-job';
import type { SliCounts } from '../../aggregator/slo-sli';
import type { Clock } from '../../shared/clock';
import { describeError } from '../../shared/describe-error';
import type { MetricEvent } from '../../shared/event-schema';
import type { Logger } from '../../shared/logger';
import { BURN_WINDOWS } from '../../shared/time-windows';
import type { Warehouse } from '../../sql/warehouse';
import type { AlertRule } from '../model/alert-rule';
import { applyObservations, notifyAndDeliver, type AlertRuntime, type EvaluationReport } from '../run/evaluate-run';
import { ROLLUP_CUTOFF_MS, type StreamingPlan } from './plan';
import { oldestSlotMs, rollupCutoffMs, streamingObservations, type LongWindowHead } from './streaming-observations';
import { tallyIncrements } from './tally';
import type { TallyIncrement, TallyStore } from './tally-store';

/** Evaluations at most this often per ingest instance: a burst of batches is judged once, within a second. */
export const DEFAULT_MIN_EVALUATION_INTERVAL_MS = 1_000;

export interface StreamingAlertsOptions {
  readonly plan: StreamingPlan;
  readonly tallies: TallyStore;
  /** The rollups, for the long window of burn rules (read once a minute). */
  readonly warehouse: () => Promise<Warehouse>;
  /** The same alert runtime the scheduled evaluator uses: store, log, routes, silences, notifiers. */
  readonly runtime: () => AlertRuntime;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly minEvaluationIntervalMs?: number;
  /** Told what each evaluation that moved an alert did — its transitions and deliveries (the stack prints them as it does the scheduled run's). */
  readonly onReport?: (report: StreamingReport) => void;
}

/** One streaming evaluation that moved alerts: its transitions, then what was notified (the shape of the scheduled run's report). */
export type StreamingReport = Pick<EvaluationReport, 'runId' | 'transitions' | 'firing' | 'muted' | 'recorded' | 'deliveries'>;

/** What the streaming path has done, for the pipeline's health and the tests. */
export interface StreamingStats {
  /** Messages whose events touched a streaming rule and were tallied. */
  tallied: number;
  /** Redelivered messages the tallies had already counted. */
  redelivered: number;
  evaluations: number;
  /** Alerts this path moved to firing. */
  fired: number;
  errors: number;
  lastError: string | null;
  lastEvaluationAtMs: number | null;
}

/**
 * The streaming path of issue #15. Ingest hands it each stored message ({@link observe}:
 * synchronous, never throws, one map lookup per event for metrics no streaming rule reads); it
 * adds the message's tallies to the shared store, then evaluates the streaming rules on the
 * current partial windows — at most once per {@link DEFAULT_MIN_EVALUATION_INTERVAL_MS} — and
 * fires through the same alert store, lifecycle, routing, silences, inhibition and dedup as the
 * scheduled evaluator (alerts/run/evaluate-run.ts), so an alert is notified once whichever path
 * saw it first. It never resolves: the scheduled path does, on complete data.
 *
 * Work runs in the background, one pass at a time; {@link idle} waits for it (a Cloud Function
 * awaits it before returning, as its CPU is throttled after). A failure is logged and counted;
 * the scheduled path still evaluates the same rules a minute later.
 */
export class StreamingAlerts {
  readonly stats: StreamingStats = { tallied: 0, redelivered: 0, evaluations: 0, fired: 0, errors: 0, lastError: null, lastEvaluationAtMs: null };
  private readonly queue: Array<{ batchId: string; increments: TallyIncrement[] }> = [];
  private readonly rules: readonly AlertRule[];
  private running: Promise<void> | undefined;
  private stopped = false;
  private head: { cutoffMs: number; counts: LongWindowHead } | undefined;
  private readonly minIntervalMs: number;

  constructor(private readonly options: StreamingAlertsOptions) {
    this.rules = [...options.plan.thresholdRules, ...options.plan.burnRules];
    this.minIntervalMs = options.minEvaluationIntervalMs ?? DEFAULT_MIN_EVALUATION_INTERVAL_MS;
  }

  /**
   * Ingest stored the `events` of message `messageId`. The message is tallied once per set of
   * event ids (not per message id): a Pub/Sub redelivery and an emitter's re-publish of the same
   * batch under a new message id (its publish acknowledgement was lost) are both counted once.
   */
  observe(messageId: string, events: readonly MetricEvent[]): void {
    if (this.stopped) return;
    try {
      const increments = tallyIncrements(this.options.plan, events, this.options.clock.now());
      if (increments.length === 0) return;
      this.queue.push({ batchId: batchIdOf(messageId, events), increments });
      this.running ??= this.drain().finally(() => (this.running = undefined));
    } catch (error) {
      this.failed('streaming alerts: could not tally a message', error);
    }
  }

  /** Resolves when everything observed so far is tallied and evaluated. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Observes nothing more; resolves when the work in hand is done (shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      let added = 0;
      for (const { batchId, increments } of batch) {
        try {
          if (await this.options.tallies.add(batchId, increments, this.options.clock.now())) added++;
          else this.stats.redelivered++;
        } catch (error) {
          this.failed('streaming alerts: could not add tallies (the scheduled evaluator still sees these events)', error);
        }
      }
      this.stats.tallied += added;
      if (added === 0) continue;
      const wait = this.stats.lastEvaluationAtMs === null ? 0 : this.stats.lastEvaluationAtMs + this.minIntervalMs - this.options.clock.now();
      if (wait > 0) await this.options.clock.sleep(wait);
      try {
        await this.evaluate(this.options.clock.now());
      } catch (error) {
        this.failed('streaming alerts: evaluation failed (the scheduled evaluator still runs)', error);
      }
    }
  }

  /** One evaluation of the streaming rules at `nowMs`; resolves to the alerts it fired. */
  async evaluate(nowMs: number): Promise<string[]> {
    this.stats.evaluations++;
    this.stats.lastEvaluationAtMs = nowMs;
    const { plan, tallies } = this.options;
    const read = await tallies.read(plan.keys, oldestSlotMs(plan, nowMs));
    const head = await this.longWindowHead(nowMs);
    // First without the "after it resolved" cut, which needs the stored instances: nothing
    // breaching (the usual case) costs no alert-store read.
    const first = streamingObservations(plan, read, head, new Map(), nowMs);
    if (!first.some((o) => o.breaching)) return [];
    const runtime = this.options.runtime();
    const stored = await runtime.store.loadInstances();
    // Burn rules whose long window overlaps a maintenance window excluded from budgets are left to
    // the scheduled path, which leaves the window's minutes out exactly (aggregator/slo-exclusions.ts);
    // the tallies and the head here count them.
    const leftToScheduled = await this.burnRulesOverExcludedMaintenance(runtime, nowMs);
    const observations = streamingObservations(plan, read, head, new Map(stored.map((i) => [i.fingerprint, i])), nowMs).filter((o) => !leftToScheduled.has(o.ruleId));
    const runId = `streaming-${randomUUID()}`;
    const { transitions } = await applyObservations(runtime, this.rules, observations, nowMs, runId, 'streaming');
    if (transitions.length === 0) return [];
    const fired = transitions.filter((t) => t.to === 'firing').map((t) => t.fingerprint);
    this.stats.fired += fired.length;
    const notified = await notifyAndDeliver(runtime, nowMs, runId);
    try {
      this.options.onReport?.({ runId, transitions, ...notified });
    } catch {
      // a listener must not fail the evaluation
    }
    return fired;
  }

  /** The rollup part of the burn rules' long windows, read once per cutoff minute. */
  private async longWindowHead(nowMs: number): Promise<LongWindowHead> {
    const { burnRules } = this.options.plan;
    if (burnRules.length === 0) return new Map();
    const cutoffMs = rollupCutoffMs(nowMs);
    if (this.head?.cutoffMs === cutoffMs) return this.head.counts;
    const counts = new Map<string, SliCounts>();
    const warehouse = await this.options.warehouse();
    // Burn rules grouped by long window (every fast pair is 1h today): one read per length.
    const byLength = new Map<number, typeof burnRules[number][]>();
    for (const rule of burnRules) {
      const pair = rule.windows[0];
      if (!pair) continue;
      const seconds = BURN_WINDOWS[pair.longWindow] - ROLLUP_CUTOFF_MS / 1000;
      byLength.set(seconds, [...(byLength.get(seconds) ?? []), rule]);
    }
    for (const [seconds, rules] of byLength) {
      const label = `head_${seconds}`;
      const slos = [...new Map(rules.map((r) => [r.slo.id, r.slo])).values()];
      const sli = await computeSliCounts(warehouse, cutoffMs, slos, [{ label, seconds }]);
      for (const slo of slos) counts.set(slo.id, sli.get(slo.id)?.[label] ?? { good: 0, total: 0 });
    }
    this.head = { cutoffMs, counts };
    return counts;
  }

  /**
   * The ids of the burn rules whose long window (ending now) overlaps a maintenance occurrence of
   * their SLO's module that is excluded from budgets. None when the windows cannot be read (logged).
   */
  private async burnRulesOverExcludedMaintenance(runtime: AlertRuntime, nowMs: number): Promise<Set<string>> {
    const rules = this.options.plan.burnRules;
    if (rules.length === 0 || !runtime.maintenance) return new Set();
    const longMs = (rule: (typeof rules)[number]) => BURN_WINDOWS[rule.windows[0]?.longWindow ?? '1h'] * 1000;
    let occurrences;
    try {
      occurrences = (await runtime.maintenance.occurrences(nowMs - Math.max(...rules.map(longMs)), nowMs + 1)).filter((o) => o.excludeFromBudget);
    } catch (error) {
      this.failed('streaming alerts: maintenance windows could not be read; burn rules judged with every minute', error);
      return new Set();
    }
    if (occurrences.length === 0) return new Set();
    return new Set(
      rules
        .filter((rule) => occurrences.some((o) => o.module === rule.slo.module && Date.parse(o.startsAt) <= nowMs && Date.parse(o.endsAt) > nowMs - longMs(rule)))
        .map((rule) => rule.id),
    );
  }

  private failed(message: string, error: unknown): void {
    this.stats.errors++;
    this.stats.lastError = describeError(error);
    try {
      this.options.logger.warn(message, { error: this.stats.lastError });
    } catch {
      // a logger must not break ingest
    }
  }
}

/** The identity of a stored batch for the tallies: its event ids (ids are unique per event: wire format v1). */
export function batchIdOf(messageId: string, events: readonly MetricEvent[]): string {
  if (events.length === 0) return `message:${messageId}`;
  const hash = createHash('sha256');
  for (const event of events) hash.update(event.id).update('\u0000');
  return `events:${hash.digest('hex')}`;
}
