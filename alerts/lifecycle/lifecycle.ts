import type { AlertRule } from '../model/alert-rule';
import type { AlertAnnotations, AlertInstance, FiringPath, Observation, Transition } from '../model/alert-instance';

/**
 * How long the scheduled evaluator leaves a streaming-fired alert firing whatever its own data
 * says (issue #15): its rollups lag the events by a rollup run and an evaluation (about two
 * minutes), so "not breaching" in that time only means "not rolled up yet". After it, the
 * scheduled path is the authority: its keep_firing_for clock starts on the first evaluation that
 * does not see the breach.
 */
export const STREAMING_HANDOVER_MS = 5 * 60_000;

/** What the lifecycle needs of a rule. */
export interface LifecycleRule {
  readonly id: string;
  readonly severity: AlertRule['severity'];
  readonly forSeconds: number;
  readonly keepFiringForSeconds: number;
  readonly annotations: AlertAnnotations;
}

export function lifecycleRule(rule: AlertRule): LifecycleRule {
  return { id: rule.id, severity: rule.severity, forSeconds: rule.forSeconds, keepFiringForSeconds: rule.keepFiringForSeconds, annotations: annotationsOf(rule) };
}

/** The result of one lifecycle step for one instance. */
export interface StepResult {
  /** The instance to store; undefined when nothing needs storing (inactive and never seen). */
  readonly next: AlertInstance | undefined;
  /** True when `next` differs from the stored instance in anything but the bookkeeping fields. */
  readonly changed: boolean;
  readonly transitions: readonly Transition[];
}

export function annotationsOf(rule: AlertRule): AlertAnnotations {
  switch (rule.kind) {
    case 'threshold':
      return { name: rule.name, summary: rule.summary, runbook: rule.runbook, comparator: rule.comparator, unit: thresholdUnit(rule), keepFiringForSeconds: rule.keepFiringForSeconds };
    case 'slo_burn':
      return { name: rule.name, summary: rule.summary, runbook: rule.runbook, comparator: '>', unit: '× burn rate', keepFiringForSeconds: rule.keepFiringForSeconds };
    case 'pipeline':
      return { name: rule.name, summary: rule.summary, runbook: rule.runbook, comparator: rule.comparator, unit: rule.unit, keepFiringForSeconds: rule.keepFiringForSeconds };
    case 'anomaly':
      return { name: rule.name, summary: rule.summary, runbook: rule.runbook, comparator: ANOMALY_COMPARATOR[rule.params.direction], unit: anomalyUnit(rule), keepFiringForSeconds: rule.keepFiringForSeconds };
    case 'slo_forecast':
      // Value: the projected exhaustion instant; threshold: the window's end (unit `at`: shown as dates).
      return { name: rule.name, summary: rule.summary, runbook: rule.runbook, comparator: '<', unit: 'at', keepFiringForSeconds: rule.keepFiringForSeconds };
  }
}

/** How a message reads an anomaly's value against the band edge: "3 < 41 events/min". */
const ANOMALY_COMPARATOR = { up: '>', down: '<', both: 'outside band, edge' } as const;

function anomalyUnit(rule: Extract<AlertRule, { kind: 'anomaly' }>): string {
  if (rule.value === 'count') return 'events/min';
  if (rule.value === 'rate') return '/s';
  return rule.value === 'last' ? '' : 'ms';
}

function thresholdUnit(rule: Extract<AlertRule, { kind: 'threshold' }>): string {
  if (rule.aggregation === 'count') return 'events';
  return rule.metric.endsWith('_ms') && rule.aggregation !== 'sum' ? 'ms' : '';
}

/**
 * One evaluation step of one alert instance, Prometheus-style (rules/alerting.go):
 *
 * | stored state         | condition holds                                   | condition does not hold                                       |
 * |----------------------|---------------------------------------------------|---------------------------------------------------------------|
 * | none/inactive/resolved | → pending (→ firing at once when `for` = 0)     | stays                                                          |
 * | pending              | → firing once it has held for `for`               | → inactive                                                      |
 * | firing               | stays firing (keep_firing_for clock cleared)      | stays firing until `keep_firing_for` has passed, then → resolved |
 *
 * `observation` undefined means the instance was not observed this run (its series vanished):
 * treated as "does not hold". Pure: time comes in as `nowMs`.
 */
export function stepInstance(rule: LifecycleRule, prev: AlertInstance | undefined, observation: Observation | undefined, nowMs: number, runId: string, path: FiringPath = 'scheduled'): StepResult {
  const holds = observation?.breaching ?? false;
  const stored = prev?.state ?? 'inactive';
  const base = (): AlertInstance => ({
    fingerprint: observation?.fingerprint ?? (prev as AlertInstance).fingerprint,
    ruleId: rule.id,
    severity: rule.severity,
    state: stored,
    labels: observation?.labels ?? prev?.labels ?? {},
    annotations: rule.annotations,
    value: observation ? observation.value : null,
    firedValue: prev?.firedValue ?? null,
    ...(prev?.firedBy ? { firedBy: prev.firedBy } : {}),
    threshold: observation?.threshold ?? prev?.threshold ?? 0,
    activeAtMs: prev?.activeAtMs ?? null,
    firedAtMs: prev?.firedAtMs ?? null,
    resolvedAtMs: prev?.resolvedAtMs ?? null,
    keepFiringSinceMs: prev?.keepFiringSinceMs ?? null,
    lastEvaluatedAtMs: nowMs,
    detail: observation?.detail ?? prev?.detail ?? {},
    version: prev?.version ?? 0,
    updatedBy: runId,
  });
  const transition = (next: AlertInstance): Transition => ({
    fingerprint: next.fingerprint,
    ruleId: rule.id,
    severity: rule.severity,
    from: stored,
    to: next.state,
    atMs: nowMs,
    value: next.value,
    threshold: next.threshold,
    firedValue: next.firedValue ?? null,
    ...(next.firedBy && (next.state === 'firing' || next.state === 'resolved') ? { firedBy: next.firedBy } : {}),
  });
  const move = (next: AlertInstance): StepResult => ({ next, changed: true, transitions: [transition(next)] });

  if (stored === 'inactive' || stored === 'resolved') {
    if (!holds) return { next: prev, changed: false, transitions: [] };
    const start = { ...base(), activeAtMs: nowMs, firedAtMs: null, resolvedAtMs: null, keepFiringSinceMs: null, firedValue: null };
    return move(rule.forSeconds <= 0 ? { ...start, state: 'firing', firedAtMs: nowMs, firedValue: start.value, firedBy: path } : { ...start, state: 'pending' });
  }
  if (stored === 'pending') {
    if (!holds) return move({ ...base(), state: 'inactive', activeAtMs: null });
    const activeAtMs = prev?.activeAtMs ?? nowMs;
    if (nowMs - activeAtMs >= rule.forSeconds * 1000) {
      const next = base();
      return move({ ...next, state: 'firing', firedAtMs: nowMs, firedValue: next.value, firedBy: path });
    }
    return { next: base(), changed: false, transitions: [] };
  }
  // firing
  if (holds) {
    const next = { ...base(), keepFiringSinceMs: null };
    return { next, changed: prev?.keepFiringSinceMs !== null, transitions: [] };
  }
  if (path === 'scheduled' && prev?.firedBy === 'streaming' && prev.firedAtMs !== null && nowMs - prev.firedAtMs < STREAMING_HANDOVER_MS) {
    // Fired from the events; the rollups have not caught up yet (STREAMING_HANDOVER_MS): the
    // streaming path's value and detail stand until they do.
    return { next: { ...base(), value: prev.value, detail: prev.detail, keepFiringSinceMs: null }, changed: prev.keepFiringSinceMs !== null, transitions: [] };
  }
  const keepFiringSinceMs = prev?.keepFiringSinceMs ?? nowMs;
  if (nowMs - keepFiringSinceMs >= rule.keepFiringForSeconds * 1000) {
    return move({ ...base(), state: 'resolved', resolvedAtMs: nowMs, keepFiringSinceMs: null });
  }
  return { next: { ...base(), keepFiringSinceMs }, changed: prev?.keepFiringSinceMs === null, transitions: [] };
}

/** The outcome of a run's lifecycle step over every instance. */
export interface LifecycleResult {
  /** Instances to write (compare-and-set on their stored version). */
  readonly writes: readonly { readonly next: AlertInstance; readonly expectedVersion: number; readonly transitions: readonly Transition[] }[];
  readonly transitions: readonly Transition[];
}

/**
 * Steps every instance: those observed this run and those stored as pending or firing. Writes
 * every instance that moved, and active (pending/firing) ones whose value changed; instances that
 * stay inactive or resolved are not rewritten.
 */
export function stepAll(rules: readonly AlertRule[], stored: readonly AlertInstance[], observations: readonly Observation[], nowMs: number, runId: string, path: FiringPath = 'scheduled'): LifecycleResult {
  const ruleById = new Map(rules.map((r) => [r.id, lifecycleRule(r)]));
  const storedByFp = new Map(stored.map((i) => [i.fingerprint, i]));
  const observed = new Map(observations.map((o) => [o.fingerprint, o]));
  const writes: Array<LifecycleResult['writes'][number]> = [];
  const transitions: Transition[] = [];
  const visit = (rule: LifecycleRule, prev: AlertInstance | undefined, observation: Observation | undefined) => {
    const step = stepInstance(rule, prev, observation, nowMs, runId, path);
    if (!step.next) return;
    const active = step.next.state === 'pending' || step.next.state === 'firing';
    // Active instances are rewritten when their value moved, so `obs alerts list` shows it.
    if (step.changed || (active && prev?.value !== step.next.value)) {
      writes.push({ next: step.next, expectedVersion: prev?.version ?? 0, transitions: step.transitions });
      transitions.push(...step.transitions);
    }
  };
  for (const observation of observations) {
    const rule = ruleById.get(observation.ruleId);
    if (rule) visit(rule, storedByFp.get(observation.fingerprint), observation);
  }
  for (const prev of stored) {
    if (observed.has(prev.fingerprint) || (prev.state !== 'pending' && prev.state !== 'firing')) continue;
    const rule = ruleById.get(prev.ruleId);
    // A rule that no longer exists resolves its firing instances rather than leaving them firing forever.
    visit(rule ?? orphanRule(prev), prev, undefined);
  }
  return { writes, transitions };
}

/** Stand-in for a rule that was removed: its active instances resolve at once. */
function orphanRule(instance: AlertInstance): LifecycleRule {
  return { id: instance.ruleId, severity: instance.severity, forSeconds: 0, keepFiringForSeconds: 0, annotations: instance.annotations };
}
