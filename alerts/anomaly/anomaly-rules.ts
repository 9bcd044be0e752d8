import { METRICS, type MetricName } from '../../shared/metric-catalogue';
import type { Severity } from '../../shared/incident-tiers';
import type { ModuleId } from '../../shared/modules';
import type { AnomalyAlertRule } from '../model/alert-rule';
import { RESERVED_LABELS } from '../model/labels';
import { anomalyParamsProblem, DEFAULT_ANOMALY_PARAMS, defaultAbsoluteFloor, percentileOf, type AnomalyParams, type AnomalyValue } from './anomaly-params';

/** An anomaly rule as the catalogue writes it: parameters left out take the defaults. */
export interface AnomalyRuleSpec {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly module: ModuleId;
  readonly metric: MetricName;
  readonly where?: Readonly<Record<string, string>>;
  readonly groupBy?: readonly string[];
  readonly value: AnomalyValue;
  readonly params?: Partial<AnomalyParams>;
  readonly keepFiringForSeconds?: number;
  readonly summary: string;
  readonly runbook: string;
}

const runbook = (id: string) => `docs/OPERATIONS.md#runbook-${id}`;

/**
 * The catalogue's anomaly rules: ticket tier (P2 → oncall Slack, P3 → ops e-mail, routed by
 * severity like every rule: alerts/routing/routes.ts), never paging — a statistical band is a
 * reason to look, not to wake someone. Drops only: a surge of spends or messages is good news
 * (and the threshold rules cover failures).
 */
export const ANOMALY_RULES: readonly AnomalyRuleSpec[] = [
  {
    id: 'wallet-spend-volume-anomaly',
    name: 'Wallet spend volume unusually low',
    severity: 'P2',
    module: 'wallet',
    metric: 'product.wallet.spend.success',
    value: 'count',
    params: { direction: 'down' },
    summary: 'Completed token spends per minute are below the usual band for this minute of the week.',
    runbook: runbook('wallet-spend-volume-anomaly'),
  },
  {
    id: 'chat-messages-anomaly',
    name: 'Chat messages unusually low',
    severity: 'P3',
    module: 'chat',
    metric: 'product.chat.message.count',
    value: 'count',
    params: { direction: 'down', consecutiveMinutes: 10 },
    summary: 'Chat messages sent per minute are below the usual band for this minute of the week.',
    runbook: runbook('chat-messages-anomaly'),
  },
];

/** The anomaly rules as alert rules. Bad configuration fails here, at start-up, with the rule named. */
export function anomalyRules(source: readonly AnomalyRuleSpec[] = ANOMALY_RULES): AnomalyAlertRule[] {
  return source.map((spec) => {
    const params: AnomalyParams = { ...DEFAULT_ANOMALY_PARAMS, absoluteFloor: defaultAbsoluteFloor(spec.value), ...spec.params };
    const problem = specProblem(spec) ?? anomalyParamsProblem(params);
    if (problem) throw new Error(`anomaly rule ${spec.id}: ${problem}`);
    return {
      kind: 'anomaly',
      id: spec.id,
      name: spec.name,
      severity: spec.severity,
      module: spec.module,
      metric: spec.metric,
      where: spec.where ?? {},
      groupBy: spec.groupBy ?? [],
      value: spec.value,
      params,
      // The N minutes in a row are the rule's `for`, counted in minutes of data.
      forSeconds: 0,
      keepFiringForSeconds: spec.keepFiringForSeconds ?? 10 * 60,
      summary: spec.summary,
      runbook: spec.runbook,
    };
  });
}

function specProblem(spec: AnomalyRuleSpec): string | undefined {
  const metric = METRICS[spec.metric] as { kind: string } | undefined;
  if (!metric) return `metric ${spec.metric} is not in the catalogue`;
  if (percentileOf(spec.value) !== undefined && metric.kind !== 'timing') return `${spec.value} needs a timing metric; ${spec.metric} is a ${metric.kind}`;
  if (spec.value === 'last' && metric.kind !== 'gauge') return `last needs a gauge metric; ${spec.metric} is a ${metric.kind}`;
  const reserved = (spec.groupBy ?? []).find((key) => (RESERVED_LABELS as readonly string[]).includes(key));
  if (reserved) return `groupBy may not use the reserved label "${reserved}"`;
  return undefined;
}
