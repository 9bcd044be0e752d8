/**
 * The OpenSLO v1 vocabulary this project reads and writes (https://github.com/OpenSLO/OpenSLO,
 * "v1"). One catalogue SLO is four kinds of document:
 *
 * - `SLO`: metadata.name = the SLO id, displayName = its name, labels `module` and `category`;
 *   spec.service = the module id; `budgetingMethod: Occurrences` (event-based, as the pipeline
 *   counts); `timeWindow` rolling (`duration: 30d, isRolling: true`) or a calendar month
 *   (`duration: 1M, isRolling: false, calendar: {startTime, timeZone}`); one objective (`target`);
 *   `indicatorRef` to its SLI; `alertPolicies` naming its burn-rate policies.
 * - `SLI`: `ratioMetric` (counter: true; `total` and one of `good` / `bad`) or `thresholdMetric`
 *   (a latency SLI: one timing metric, the threshold in the objective's `op: lte` and `value`).
 *   Each `metricSource` has `type: obs` (this pipeline's event log) and `spec.metrics`: the
 *   selectors summed, each `{metric, where?, maxMs?}` as in shared/slo-catalogue.ts.
 * - `AlertPolicy` (one per burn-rate window pair, OpenSLO allows one condition per policy) with
 *   an inline `AlertCondition` of `kind: burnrate`: `threshold` = the factor, `lookbackWindow` =
 *   the long window, `alertAfter` = the short window, `severity` = the tier (page | ticket).
 */
export const OPENSLO_API_VERSION = 'openslo/v1';
/** The `metricSource.type` of this pipeline's own event log. */
export const OBS_METRIC_SOURCE = 'obs';

export interface OpenSloSelector {
  metric: string;
  where?: Record<string, string>;
  maxMs?: number;
}

export interface OpenSloDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; displayName?: string; labels?: Record<string, string | string[]> };
  spec: Record<string, unknown>;
}

/** The policy name of one window pair: `<slo id>-burn-<tier>-<long>-<short>`. */
export const alertPolicyName = (sloId: string, tier: string, longWindow: string, shortWindow: string) => `${sloId}-burn-${tier}-${longWindow}-${shortWindow}`;
