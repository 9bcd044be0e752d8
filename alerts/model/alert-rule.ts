import type { Aggregation, Comparator, PipelineCheck } from '../../shared/alert-rules';
import type { Severity } from '../../shared/incident-tiers';
import type { MetricName } from '../../shared/metric-catalogue';
import type { ModuleId } from '../../shared/modules';
import type { SloSpec } from '../../shared/slo-catalogue';
import type { BurnWindow } from '../../shared/time-windows';
import type { AnomalyParams, AnomalyValue } from '../anomaly/anomaly-params';
import type { Labels } from './labels';

/** What every rule has: identity, severity, ownership, the lifecycle timings and the texts people read. */
interface AlertRuleBase {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly module: ModuleId;
  /** How long the condition must hold before the alert fires (Prometheus `for`). */
  readonly forSeconds: number;
  /** How long a firing alert keeps firing after the condition stops holding (Prometheus `keep_firing_for`). */
  readonly keepFiringForSeconds: number;
  readonly summary: string;
  /** Runbook location: a repository path with an anchor, or an absolute URL. */
  readonly runbook: string;
  /**
   * Also evaluated as events arrive (issue #15, alerts/streaming/): a breach fires within
   * seconds instead of after the next rollup and evaluation. Threshold and page-tier burn rules only.
   */
  readonly streaming?: boolean;
}

/**
 * `aggregation(metric{where}[window]) comparator threshold`, one instance per combination of the
 * `groupBy` tag values. Evaluated on the 1-minute rollups (see evaluate/threshold-evaluator.ts).
 */
export interface ThresholdAlertRule extends AlertRuleBase {
  readonly kind: 'threshold';
  readonly metric: MetricName;
  readonly where: Readonly<Record<string, string>>;
  readonly aggregation: Aggregation;
  readonly windowSeconds: number;
  readonly comparator: Comparator;
  readonly threshold: number;
  readonly groupBy: readonly string[];
}

/** Page-tier burn alerts wake someone up (P1); ticket-tier ones go to the ops queue (P3). */
export type BurnTier = 'page' | 'ticket';

/** One long/short window pair of a burn-rate rule, with the factor scaled to the SLO's window. */
export interface BurnWindowPair {
  readonly longWindow: BurnWindow;
  readonly shortWindow: BurnWindow;
  /** Burn-rate threshold for this SLO: budgetFraction × SLO window ÷ long window. */
  readonly factor: number;
  /** Share of the whole error budget this pair spends by the time it fires (0.02 = 2%). */
  readonly budgetFraction: number;
}

/**
 * A multiwindow, multi-burn-rate SLO alert (SRE Workbook ch. 5): fires when, for any of its window
 * pairs, the burn rate over the long window AND over the short window both exceed the pair's
 * factor, and the long window saw at least `minEventsInLongWindow` events.
 */
export interface BurnRateAlertRule extends AlertRuleBase {
  readonly kind: 'slo_burn';
  readonly slo: SloSpec;
  readonly tier: BurnTier;
  readonly windows: readonly BurnWindowPair[];
  /** The minimum-traffic guard: fewer events than this in the long window never fires. */
  readonly minEventsInLongWindow: number;
}

/**
 * A rule about the pipeline itself (issue #11 §3): a check of the jobs' freshness, ingest's dead
 * letters, modules gone silent or a failing notification channel, judged by
 * evaluate/pipeline-evaluator.ts. `comparator`, `threshold` and `unit` say how its value reads
 * ("12 min >= 10 min"); a check may give one instance per module or channel.
 */
export interface PipelineAlertRule extends AlertRuleBase {
  readonly kind: 'pipeline';
  readonly check: PipelineCheck;
  readonly comparator: Comparator;
  readonly threshold: number;
  /** Unit of the value for display: `min`, `%`, `events`. */
  readonly unit: string;
}

/**
 * An anomaly rule (issue #16, alerts/anomaly/): one value per minute of a catalogue metric's
 * 1-minute rollups (`value`), per combination of the `groupBy` tag values, judged against a band
 * around its seasonal baseline — the median of the same minute-of-week over the last weeks ± k·MAD
 * (alerts/anomaly/anomaly-model.ts). Breaches after `params.consecutiveMinutes` minutes in a row
 * outside the band; docs/ALERTS.md, "Anomaly detection".
 */
export interface AnomalyAlertRule extends AlertRuleBase {
  readonly kind: 'anomaly';
  readonly metric: MetricName;
  readonly where: Readonly<Record<string, string>>;
  readonly groupBy: readonly string[];
  readonly value: AnomalyValue;
  readonly params: AnomalyParams;
}

/**
 * A budget forecast (issue #16, ticket tier): warns when, at the SLO's current burn measured over
 * EVERY one of `burnWindows` (6 h and 3 d), its error budget runs out before its window ends (the
 * calendar month's end, or one rolling window from now). The observed value is the projected
 * exhaustion instant (epoch ms, the later of the projections), the threshold the window's end.
 * Judged by evaluate/forecast-evaluator.ts; docs/ALERTS.md "Budget forecasts".
 */
export interface ForecastAlertRule extends AlertRuleBase {
  readonly kind: 'slo_forecast';
  readonly slo: SloSpec;
  readonly burnWindows: readonly BurnWindow[];
  /** The minimum-traffic guard: fewer events than this in the longest burn window never fires. */
  readonly minEventsInLongWindow: number;
}

export type AlertRule = ThresholdAlertRule | BurnRateAlertRule | PipelineAlertRule | AnomalyAlertRule | ForecastAlertRule;

/** The labels every instance of `rule` carries (before its grouping tags). */
export function ruleLabels(rule: AlertRule): Labels {
  const labels: Record<string, string> = { alertname: rule.id, severity: rule.severity, module: rule.module, kind: rule.kind };
  if (rule.kind === 'slo_burn') {
    labels.slo = rule.slo.id;
    labels.burn_tier = rule.tier;
  }
  if (rule.kind === 'slo_forecast') labels.slo = rule.slo.id;
  return labels;
}
