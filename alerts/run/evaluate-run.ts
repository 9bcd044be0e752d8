import type { ChannelId } from '../../shared/channels';
import type { Clock } from '../../shared/clock';
import { dataNeeds, evaluateRules } from '../evaluate/evaluate-rules';
import type { RuleDataSource } from '../evaluate/warehouse-rule-data';
import { stepAll } from '../lifecycle/lifecycle';
import type { Logger } from '../../shared/logger';
import type { AlertRule } from '../model/alert-rule';
import type { FiringPath, Observation, Transition } from '../model/alert-instance';
import { inhibitor, type InhibitRule } from '../mute/inhibition';
import { combineMuters } from '../mute/muter';
import { silencer } from '../mute/silences';
import { maintenanceMuter } from '../../maintenance/maintenance-muter';
import type { MaintenanceSource } from '../../maintenance/occurrence';
import type { Notifier } from '../notifiers/notifier';
import { LEDGER_LOOKBACK_MS, decideNotifications, type MutedAlert } from '../notify/dedup-stage';
import type { DeliveryLimits } from '../notify/delivery-limits';
import { deliverPending, type DeliveryReport } from '../notify/delivery-stage';
import type { RetryPolicy } from '../notify/retry-policy';
import type { NotificationKind } from '../notify/notification';
import { routeAlert, type RouteNode } from '../routing/route-tree';
import { deliveryEntry, transitionEntry, type AlertLog } from '../state/alert-log';
import type { AlertStore } from '../state/alert-store';
import type { IncidentRecorder } from '../../incidents/incident-recorder';

/** Everything one evaluation needs; built by run/runtime.ts. */
export interface AlertRuntime {
  readonly rules: readonly AlertRule[];
  readonly routes: RouteNode;
  readonly inhibitRules: readonly InhibitRule[];
  readonly source: RuleDataSource;
  readonly store: AlertStore;
  readonly log: AlertLog;
  readonly notifiers: ReadonlyMap<ChannelId, Notifier>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy: RetryPolicy;
  readonly claimTimeoutMs: number;
  /** Pool sizes and deadlines of the delivery stage (notify/delivery-limits.ts). */
  readonly deliveryLimits: DeliveryLimits;
  /** Maintenance windows (maintenance/): an occurrence in progress mutes its module's alerts like a silence. None when absent. */
  readonly maintenance?: MaintenanceSource;
  /** Incidents (issue #16): opened, extended and resolved by the transitions; acknowledged ones hold back reminders. Absent: none kept. */
  readonly incidents?: IncidentRecorder;
  newRunId(): string;
}

/** The result of one run: what `obs alerts evaluate --json` prints. */
export interface EvaluationReport {
  readonly runId: string;
  readonly at: string;
  readonly rules: number;
  readonly observations: number;
  readonly transitions: readonly Transition[];
  /** Instances another, overlapping run moved first (this run left them alone). */
  readonly conflicts: readonly string[];
  readonly firing: ReadonlyArray<{ readonly fingerprint: string; readonly severity: string; readonly value: number | null; readonly threshold: number; readonly since: string; readonly firedBy: FiringPath }>;
  readonly muted: readonly MutedAlert[];
  readonly recorded: ReadonlyArray<{ readonly id: string; readonly channel: ChannelId; readonly kind: NotificationKind; readonly fingerprint: string }>;
  readonly deliveries: readonly DeliveryReport[];
}

/**
 * One evaluator run at `nowMs`, as a pipeline of small stages:
 *
 * 1. fetch the rule data and evaluate every rule (pure);
 * 2. step each instance's lifecycle (pure) and write the changes by compare-and-set — an
 *    instance another run already moved is left to that run;
 * 3. reload the durable state, and decide the due notifications from it and the ledger, with
 *    silences and inhibition muting (pure); record them as pending (idempotent);
 * 4. deliver: claim, group, send with retry — concurrently, each attempt under a deadline and
 *    the whole stage under the run's delivery deadline — mark (notify/delivery-stage.ts).
 *
 * Stage 3 works from durable state only, so a run that crashed anywhere is made good by the
 * next, and two overlapping runs decide the same notifications — recorded once, claimed once,
 * sent once.
 */
export async function evaluateAlerts(runtime: AlertRuntime, nowMs: number): Promise<EvaluationReport> {
  const runId = runtime.newRunId();
  const data = await runtime.source.fetch(dataNeeds(runtime.rules), nowMs);
  const observations = evaluateRules(runtime.rules, data);
  const { transitions, conflicts } = await applyObservations(runtime, runtime.rules, observations, nowMs, runId, 'scheduled');
  const notified = await notifyAndDeliver(runtime, nowMs, runId);
  return {
    runId,
    at: new Date(nowMs).toISOString(),
    rules: runtime.rules.length,
    observations: observations.length,
    transitions,
    conflicts,
    ...notified,
  };
}

/** Stage 2: the lifecycle step of every observed (and every active) instance, written by compare-and-set and logged. */
export async function applyObservations(
  runtime: Pick<AlertRuntime, 'store' | 'log' | 'logger' | 'incidents'>,
  rules: readonly AlertRule[],
  observations: readonly Observation[],
  nowMs: number,
  runId: string,
  path: FiringPath,
): Promise<{ transitions: Transition[]; conflicts: string[] }> {
  const stored = await runtime.store.loadInstances();
  const stepped = stepAll(rules, stored, observations, nowMs, runId, path).writes;
  // The streaming path only ever starts or fires an alert: resolving (and every other judgement
  // on partial windows) is the scheduled path's, whose data is complete (issue #15).
  // A firing alert in its keep_firing_for time that breaches again has its clock cleared (it only keeps it firing).
  const storedByFp = path === 'streaming' ? new Map(stored.map((i) => [i.fingerprint, i])) : undefined;
  const starts = (w: (typeof stepped)[number]) =>
    w.transitions.length > 0
      ? w.transitions.every((t) => t.to === 'pending' || t.to === 'firing')
      : w.next.state === 'firing' && w.next.keepFiringSinceMs === null && (storedByFp?.get(w.next.fingerprint)?.keepFiringSinceMs ?? null) !== null;
  const writes = path === 'streaming' ? stepped.filter(starts) : stepped;
  if (writes.length === 0) return { transitions: [], conflicts: [] };
  const won = await runtime.store.compareAndSetInstances(writes.map((w) => ({ next: w.next, expectedVersion: w.expectedVersion })));
  const transitions = writes.filter((w) => won.has(w.next.fingerprint)).flatMap((w) => w.transitions);
  const conflicts = writes.filter((w) => !won.has(w.next.fingerprint)).map((w) => w.next.fingerprint);
  await runtime.log.append(transitions.map((t) => transitionEntry(t, runId)));
  for (const t of transitions) runtime.logger.info('alert transition', { fingerprint: t.fingerprint, from: t.from, to: t.to, value: t.value, threshold: t.threshold, path });
  // Incidents open, grow and resolve with the transitions this run won (both paths come here).
  await runtime.incidents?.transitions(writes.filter((w) => won.has(w.next.fingerprint)).flatMap((w) => w.transitions.map((transition) => ({ transition, instance: w.next }))), nowMs);
  return { transitions, conflicts };
}

/**
 * The maintenance occurrences in progress at `nowMs`. A store that cannot be read mutes nothing
 * (logged): a page sent during maintenance is better than a page lost outside it.
 */
async function maintenanceAt(runtime: Pick<AlertRuntime, 'maintenance' | 'logger'>, nowMs: number) {
  if (!runtime.maintenance) return [];
  try {
    return await runtime.maintenance.occurrences(nowMs, nowMs + 1);
  } catch (error) {
    runtime.logger.warn('maintenance windows could not be read; none mutes this run', { error: error instanceof Error ? error.message : String(error) });
    return [];
  }
}

/** Stages 3 and 4: decide the due notifications from durable state, record them, deliver. */
export async function notifyAndDeliver(runtime: AlertRuntime, nowMs: number, runId: string): Promise<Pick<EvaluationReport, 'firing' | 'muted' | 'recorded' | 'deliveries'>> {
  const instances = await runtime.store.loadInstances();
  const firing = instances.filter((i) => i.state === 'firing');
  const muter = combineMuters(silencer(await runtime.store.loadSilences(), nowMs), maintenanceMuter(await maintenanceAt(runtime, nowMs), nowMs), inhibitor(firing, runtime.inhibitRules));
  const ledger = await runtime.store.loadLedger(nowMs - LEDGER_LOOKBACK_MS);
  // The alerts of an acknowledged incident get no reminders (issue #16); firing and resolve notifications still go.
  const quiet = await runtime.incidents?.quietEpisodes(nowMs);
  const { due, muted } = decideNotifications({ instances, routeOf: (i) => routeAlert(runtime.routes, i.labels), muter, ledger, nowMs, ...(quiet ? { quiet } : {}) });
  await runtime.store.recordNotifications(due);
  await runtime.log.append(due.map((n) => deliveryEntry(n, 'pending', nowMs, { target: runtime.notifiers.get(n.channel)?.target ?? n.channel })));

  const deliveries = await deliverPending(
    {
      store: runtime.store,
      log: runtime.log,
      notifiers: runtime.notifiers,
      clock: runtime.clock,
      logger: runtime.logger,
      policy: runtime.policy,
      claimTimeoutMs: runtime.claimTimeoutMs,
      limits: runtime.deliveryLimits,
      pending: [...ledger.filter((n) => n.status === 'pending'), ...due],
    },
    runId,
    nowMs,
  );
  await runtime.incidents?.deliveries(deliveries, [...ledger, ...due], nowMs);
  return {
    firing: firing.map((i) => ({ fingerprint: i.fingerprint, severity: i.severity, value: i.value, threshold: i.threshold, since: new Date(i.firedAtMs ?? nowMs).toISOString(), firedBy: i.firedBy ?? 'scheduled' })),
    muted,
    recorded: due.map((n) => ({ id: n.id, channel: n.channel, kind: n.kind, fingerprint: n.fingerprint })),
    deliveries,
  };
}
