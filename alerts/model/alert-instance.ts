import type { Severity } from '../../shared/incident-tiers';
import type { Labels } from './labels';

/**
 * The lifecycle of one alert instance (Prometheus' alerting states, plus `resolved` kept as a
 * record): inactive → pending → firing → resolved. A rule with `for: 0` goes from inactive
 * straight to firing, as in Prometheus.
 */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

/** The evaluator that fired an alert: on schedule from the rollups, or as the events arrived. */
export type FiringPath = 'scheduled' | 'streaming';

/** JSON-safe detail: the numbers behind a decision (burn rates per window, event counts). */
export type AlertDetail = Readonly<Record<string, unknown>>;

/** What a message needs to say about an alert, snapshotted from its rule when it is evaluated. */
export interface AlertAnnotations {
  readonly name: string;
  readonly summary: string;
  readonly runbook: string;
  /** `>` / `>=` / `<` / `<=` for threshold rules; `>` for burn rates. */
  readonly comparator: string;
  /** Unit of `value` for display: `ms`, `events`, `× budget`. */
  readonly unit: string;
  /** The rule's keep_firing_for (texts say until when a recovering alert keeps firing); absent in rows written before it. */
  readonly keepFiringForSeconds?: number;
}

/**
 * The durable state of one alert instance. `version` increases by one on every write: writers
 * compare-and-set on it, so of two overlapping evaluator runs only one moves an instance
 * (state/alert-store.ts). `firedAtMs` identifies a firing episode: the notifications of an
 * episode are keyed by it, which is what makes recording them idempotent.
 */
export interface AlertInstance {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly state: AlertState;
  readonly labels: Labels;
  readonly annotations: AlertAnnotations;
  /** Last evaluated value; null when there was no data. */
  readonly value: number | null;
  /**
   * The value when the current (or last) episode fired: texts show it beside the current one
   * ("was 14 > 10, now 0"). Stored inside the state row's `detail` JSON (state/row-codec.ts), so
   * no table changes; absent in rows written before it.
   */
  readonly firedValue?: number | null;
  /**
   * Which path fired the current (or last) episode (issue #15): the scheduled evaluator on the
   * rollups, or the streaming path as events arrived (alerts/streaming/). In `detail` like firedValue;
   * absent in rows written before it.
   */
  readonly firedBy?: FiringPath;
  readonly threshold: number;
  /** Start of the current pending/firing episode. */
  readonly activeAtMs: number | null;
  readonly firedAtMs: number | null;
  readonly resolvedAtMs: number | null;
  /** First evaluation at which a firing alert's condition no longer held (keep_firing_for clock). */
  readonly keepFiringSinceMs: number | null;
  readonly lastEvaluatedAtMs: number;
  readonly detail: AlertDetail;
  readonly version: number;
  /** Run id of the evaluator run that wrote this version. */
  readonly updatedBy: string;
}

/** The result of evaluating one rule for one group at one instant. */
export interface Observation {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly labels: Labels;
  /** Null when the rule had no data to compute a value from (never breaching). */
  readonly value: number | null;
  readonly threshold: number;
  readonly breaching: boolean;
  readonly detail: AlertDetail;
}

/** One state change, as logged to alert_log and reported by `obs alerts evaluate`. */
export interface Transition {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly atMs: number;
  readonly value: number | null;
  readonly threshold: number;
  /** The value the episode fired with (a resolve: "was 14 > 10, now 0"). */
  readonly firedValue?: number | null;
  /**
   * The path that fired the episode (issue #15), for transitions to firing and resolved: logged in
   * alert_log's detail for analysts and the dashboard's recent alerts (state/alert-log.ts). A
   * transition without it logs none (the lifecycle's `transition()` does not set it yet).
   */
  readonly firedBy?: FiringPath;
}
