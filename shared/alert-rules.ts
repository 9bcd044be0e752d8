import type { Severity } from './incident-tiers';
import type { MetricName } from './metric-catalogue';
import type { ModuleId } from './modules';

/** How a rule reduces a metric's rollups over its window to one number. */
export type Aggregation = 'sum' | 'count' | 'avg' | 'max' | 'p95';
export type Comparator = '>' | '>=' | '<' | '<=';

/**
 * A threshold rule in the Prometheus manner: `aggregation(metric{where}[window]) comparator
 * threshold`, true for at least `forSeconds` before it fires, and kept firing for
 * `keepFiringForSeconds` after it stops being true (against flapping). Who is notified
 * is not part of a rule: the routing table (alerts/routing/routes.ts) decides delivery.
 */
export interface ThresholdRule {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly module: ModuleId;
  readonly metric: MetricName;
  readonly where?: Readonly<Record<string, string>>;
  readonly aggregation: Aggregation;
  readonly windowSeconds: number;
  readonly comparator: Comparator;
  readonly threshold: number;
  readonly forSeconds: number;
  readonly keepFiringForSeconds: number;
  /** Tag keys that split the rule into one alert instance per value combination. */
  readonly groupBy: readonly string[];
  readonly summary: string;
  /** Anchor of this rule's runbook in docs/OPERATIONS.md. */
  readonly runbook: string;
  /**
   * Evaluated as events arrive as well as on schedule (issue #15): on for the P0 rules, whose
   * minutes matter. Needs `groupBy: []`, a sum/count/avg aggregation and a window of at most 18 minutes.
   */
  readonly streaming?: boolean;
}

const MINUTE = 60;
const runbook = (id: string) => `docs/OPERATIONS.md#runbook-${id}`;

/** The seed's alert rules (§5): three P0, three P1, three P2; and the pipeline's own P3 (cardinality). */
export const ALERT_RULES: readonly ThresholdRule[] = [
  {
    id: 'function-errors-critical',
    name: 'Cloud Function errors',
    severity: 'P0',
    module: 'infrastructure',
    metric: 'infra.function.error.count',
    aggregation: 'sum',
    windowSeconds: 5 * MINUTE,
    comparator: '>',
    threshold: 50,
    forSeconds: 0,
    keepFiringForSeconds: 5 * MINUTE,
    groupBy: [],
    summary: 'More than 50 function errors in 5 minutes.',
    runbook: runbook('function-errors-critical'),
    streaming: true,
  },
  {
    id: 'wallet-spend-failures-critical',
    name: 'Wallet spend failures',
    severity: 'P0',
    module: 'wallet',
    metric: 'product.wallet.spend.failed',
    aggregation: 'sum',
    windowSeconds: 10 * MINUTE,
    comparator: '>',
    threshold: 10,
    forSeconds: 0,
    keepFiringForSeconds: 5 * MINUTE,
    groupBy: [],
    summary: 'More than 10 failed token spends in 10 minutes.',
    runbook: runbook('wallet-spend-failures-critical'),
    streaming: true,
  },
  {
    id: 'call-failures-critical',
    name: 'Call failures',
    severity: 'P0',
    module: 'calls',
    metric: 'product.call.failed.count',
    aggregation: 'sum',
    windowSeconds: 10 * MINUTE,
    comparator: '>',
    threshold: 15,
    forSeconds: 0,
    keepFiringForSeconds: 5 * MINUTE,
    groupBy: [],
    summary: 'More than 15 failed calls in 10 minutes.',
    runbook: runbook('call-failures-critical'),
    streaming: true,
  },
  {
    id: 'chat-failures-high',
    name: 'Chat delivery failures',
    severity: 'P1',
    module: 'chat',
    metric: 'product.chat.message.failed',
    aggregation: 'sum',
    windowSeconds: 15 * MINUTE,
    comparator: '>',
    threshold: 20,
    forSeconds: 0,
    keepFiringForSeconds: 5 * MINUTE,
    groupBy: [],
    summary: 'More than 20 failed chat messages in 15 minutes.',
    runbook: runbook('chat-failures-high'),
  },
  {
    id: 'payout-failures-high',
    name: 'Payout failures',
    severity: 'P1',
    module: 'wallet',
    metric: 'product.wallet.payout.failed',
    aggregation: 'sum',
    windowSeconds: 30 * MINUTE,
    comparator: '>',
    threshold: 5,
    forSeconds: 0,
    keepFiringForSeconds: 10 * MINUTE,
    groupBy: [],
    summary: 'More than 5 failed payouts in 30 minutes.',
    runbook: runbook('payout-failures-high'),
  },
  {
    id: 'safety-incidents-high',
    name: 'Safety incident surge',
    severity: 'P1',
    module: 'safety',
    metric: 'product.safety.incident.count',
    aggregation: 'sum',
    windowSeconds: 60 * MINUTE,
    comparator: '>',
    threshold: 20,
    forSeconds: 0,
    keepFiringForSeconds: 10 * MINUTE,
    groupBy: [],
    summary: 'More than 20 safety incidents in an hour.',
    runbook: runbook('safety-incidents-high'),
  },
  {
    id: 'api-latency-medium',
    name: 'API latency high',
    severity: 'P2',
    module: 'infrastructure',
    metric: 'infra.http.request.latency_ms',
    aggregation: 'p95',
    windowSeconds: 5 * MINUTE,
    comparator: '>',
    threshold: 1_000,
    forSeconds: 15 * MINUTE,
    keepFiringForSeconds: 5 * MINUTE,
    groupBy: [],
    summary: 'API p95 latency above 1 s for 15 minutes.',
    runbook: runbook('api-latency-medium'),
  },
  {
    id: 'ai-latency-medium',
    name: 'AI response latency high',
    severity: 'P2',
    module: 'ai',
    metric: 'product.ai.response.latency_ms',
    aggregation: 'p95',
    windowSeconds: 5 * MINUTE,
    comparator: '>',
    threshold: 3_000,
    forSeconds: 15 * MINUTE,
    keepFiringForSeconds: 5 * MINUTE,
    groupBy: [],
    summary: 'AI companion p95 response time above 3 s for 15 minutes.',
    runbook: runbook('ai-latency-medium'),
  },
  {
    id: 'support-ticket-spike-medium',
    name: 'Support ticket spike',
    severity: 'P2',
    module: 'support',
    metric: 'product.support.ticket.created',
    aggregation: 'sum',
    windowSeconds: 60 * MINUTE,
    comparator: '>',
    threshold: 100,
    forSeconds: 0,
    keepFiringForSeconds: 10 * MINUTE,
    groupBy: [],
    summary: 'More than 100 support tickets opened in an hour.',
    runbook: runbook('support-ticket-spike-medium'),
  },
  // The pipeline's own: a metric hit its cardinality limit (ingest/cardinality-limiter.ts); one
  // alert per metric. The data is still stored (in the overflow series), so P3, not a page.
  {
    id: 'series-overflow-low',
    name: 'Cardinality limit reached',
    severity: 'P3',
    module: 'infrastructure',
    metric: 'infra.metrics.ingest.series_overflow.count',
    aggregation: 'sum',
    windowSeconds: 60 * MINUTE,
    comparator: '>',
    threshold: 0,
    forSeconds: 0,
    keepFiringForSeconds: 60 * MINUTE,
    groupBy: ['metric'],
    summary: 'A metric reached its daily series limit: events of new series are folded into its overflow series (tags.overflow = "true").',
    runbook: runbook('series-overflow-low'),
  },
];

/** A rule of the catalogue by id: a threshold rule or one of the pipeline's own rules. */
export function getAlertRule(id: string): ThresholdRule | PipelineRule | undefined {
  return ALERT_RULES.find((rule) => rule.id === id) ?? PIPELINE_ALERT_RULES.find((rule) => rule.id === id);
}

export function getAlertsBySeverity(severity: Severity): ThresholdRule[] {
  return ALERT_RULES.filter((rule) => rule.severity === severity);
}

/**
 * What a pipeline rule checks (issue #11 §3: the pipeline watches itself). Each is read from the
 * warehouse by the alert evaluator and judged in alerts/evaluate/pipeline-evaluator.ts; the
 * reasoning behind every number is in docs/ALERTS.md, "Alerts about the pipeline".
 *
 * - `job-stale`: a scheduled job's `job_state` row is older than `maxAgeSeconds` — the rollup
 *   job's watermark, or the alert evaluator's last successful run.
 * - `dead-letter-ratio`: over `windowSeconds`, more than `maxPercent` % of the messages ingest
 *   received had dead letters, once at least `minMessages` messages arrived.
 * - `module-absent`: a module with events on each of the last `activeDays` UTC days, enough of
 *   them to expect `minExpectedEvents` in `silentSeconds`, has none in the last `silentSeconds`
 *   (one alert per module).
 * - `channel-failing`: every delivery attempt to a notification channel has failed for at least
 *   `failingForSeconds` (looking back `lookbackSeconds`), one alert per channel, routed around it.
 */
export type PipelineCheck =
  | {
      readonly type: 'job-stale';
      readonly job: string;
      readonly clock: 'watermark' | 'last-run';
      readonly maxAgeSeconds: number;
      /**
       * Measure the age up to this job's last run (at most now) instead of up to now: the job is
       * stale when it fell behind another scheduled job that kept running. Not judged while that
       * job has never run.
       */
      readonly behindJob?: string;
    }
  | { readonly type: 'dead-letter-ratio'; readonly windowSeconds: number; readonly maxPercent: number; readonly minMessages: number }
  | {
      readonly type: 'module-absent';
      readonly silentSeconds: number;
      readonly activeDays: number;
      /**
       * A module counts as active only when its average day over the active days predicts at least
       * this many events in `silentSeconds`: a module that sends a handful of events an hour (data
       * rights requests, panic buttons) is silent for 15 minutes as a matter of course. With 10
       * expected, a Poisson silence by chance has probability e^-10 ≈ 5·10^-5 per window.
       */
      readonly minExpectedEvents: number;
      /** Whole UTC days of silence after which a module no longer counts as active (retired), so its alert resolves. */
      readonly maxSilentDays: number;
    }
  | { readonly type: 'channel-failing'; readonly failingForSeconds: number; readonly lookbackSeconds: number };

/** A rule about the pipeline itself: identity, severity and timings as a threshold rule, a check instead of a metric. */
export interface PipelineRule {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly module: ModuleId;
  readonly check: PipelineCheck;
  readonly forSeconds: number;
  readonly keepFiringForSeconds: number;
  readonly summary: string;
  readonly runbook: string;
}

/** Job names of `job_state` the pipeline rules read (written by sql/job-state.ts: ROLLUP_JOB, ALERTS_JOB). */
export const PIPELINE_JOBS = { rollup: 'rollup', alerts: 'alerts' } as const;

/** The freshness limit of both `pipeline-stale` rules: jobs run every minute, so 5 minutes is four missed runs. */
const STALE_AFTER_SECONDS = 5 * MINUTE;
/** `pipeline-export-lag`: the cursor trails now by 1–3 minutes when healthy; 10 is several failed or missed runs. */
const EXPORT_LAG_AFTER_SECONDS = 10 * MINUTE;

/**
 * The pipeline's own rules (issue #11 §3). The dead man's switch (an outside heartbeat) covers the
 * one case these cannot: an evaluator that does not run at all cannot page about itself.
 */
export const PIPELINE_ALERT_RULES: readonly PipelineRule[] = [
  // Family `pipeline-stale`.
  {
    id: 'pipeline-stale-rollups',
    name: 'Rollups stale',
    severity: 'P1',
    module: 'infrastructure',
    check: { type: 'job-stale', job: PIPELINE_JOBS.rollup, clock: 'watermark', maxAgeSeconds: STALE_AFTER_SECONDS },
    forSeconds: 0,
    keepFiringForSeconds: 0,
    summary: 'The rollup watermark is more than 5 minutes old: rollups, SLOs, dashboards and every metric alert are working on old data.',
    runbook: runbook('pipeline-stale-rollups'),
  },
  {
    id: 'pipeline-stale-alerts',
    name: 'Alert evaluation stale',
    severity: 'P1',
    module: 'infrastructure',
    // Measured against the rollup job, which runs on the same schedule: an evaluation after a gap
    // fires when the schedule kept running meanwhile (an evaluator that was stopped or failing),
    // while `obs alerts evaluate --at` replays and manual runs without a schedule do not page. With
    // the whole schedule down, pipeline-stale-rollups fires; with no run at all, the heartbeat does.
    check: { type: 'job-stale', job: PIPELINE_JOBS.alerts, clock: 'last-run', maxAgeSeconds: STALE_AFTER_SECONDS, behindJob: PIPELINE_JOBS.rollup },
    forSeconds: 0,
    keepFiringForSeconds: 0,
    summary: 'The previous successful alert evaluation is more than 5 minutes older than the rollups: alerts were not evaluated in between.',
    runbook: runbook('pipeline-stale-alerts'),
  },
  {
    id: 'pipeline-dead-letters',
    name: 'Ingest dead-lettering messages',
    severity: 'P2',
    module: 'infrastructure',
    check: { type: 'dead-letter-ratio', windowSeconds: 10 * MINUTE, maxPercent: 1, minMessages: 100 },
    forSeconds: 0,
    keepFiringForSeconds: 5 * MINUTE,
    summary: 'More than 1% of the messages ingest received in 10 minutes were dead-lettered (whole or in part).',
    runbook: runbook('pipeline-dead-letters'),
  },
  {
    id: 'pipeline-module-absent',
    name: 'Module sent no events',
    severity: 'P2',
    module: 'infrastructure',
    check: { type: 'module-absent', silentSeconds: 15 * MINUTE, activeDays: 7, minExpectedEvents: 10, maxSilentDays: 2 },
    forSeconds: 0,
    keepFiringForSeconds: 5 * MINUTE,
    summary: 'A module that sent events on each of the last 7 days has sent none for 15 minutes.',
    runbook: runbook('pipeline-module-absent'),
  },
  {
    id: 'pipeline-channel-failing',
    name: 'Notification channel failing',
    severity: 'P1',
    module: 'infrastructure',
    check: { type: 'channel-failing', failingForSeconds: 10 * MINUTE, lookbackSeconds: 60 * MINUTE },
    forSeconds: 0,
    keepFiringForSeconds: 5 * MINUTE,
    summary: 'Every delivery to this notification channel has failed for at least 10 minutes; alerts routed only there are not reaching anyone.',
    runbook: runbook('pipeline-channel-failing'),
  },
  // Family `pipeline-export-lag`: one rule per exporter (exporters/export-job.ts), on its cursor in
  // job_state (`export:<name>`: the start of the next minute to send). A closed minute is ready about
  // 70 s after it ends, so a healthy cursor is 1–3 minutes old; an exporter that is not configured
  // has no row and is never judged.
  ...(['datadog', 'gcp', 'prometheus'] as const).map(
    (exporter): PipelineRule => ({
      id: `pipeline-export-lag-${exporter}`,
      name: `Export to ${exporter} behind`,
      severity: 'P2',
      module: 'infrastructure',
      check: { type: 'job-stale', job: `export:${exporter}`, clock: 'watermark', maxAgeSeconds: EXPORT_LAG_AFTER_SECONDS },
      forSeconds: 0,
      keepFiringForSeconds: 0,
      summary: `The ${exporter} exporter's cursor is more than 10 minutes behind: the provider's metrics and dashboards are missing the latest minutes (they are still in the warehouse).`,
      runbook: runbook('pipeline-export-lag'),
    }),
  ),
];

/** True when `value` breaches the rule's threshold (the seed's `evaluateAlertRule`). */
export function compare(comparator: Comparator, value: number, threshold: number): boolean {
  switch (comparator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}
