import { seriesKey } from '../../shared/series-key';

/**
 * Labels identify an alert instance and are what routes, silences and inhibition rules match on
 * (Alertmanager's model). Every instance carries the rule's labels below plus one label per
 * `groupBy` tag of its rule.
 */
export type Labels = Readonly<Record<string, string>>;

/**
 * Labels the rules set themselves. A rule may not group by one of these tag keys: a tag would
 * silently shadow the rule's own label and change where the alert is routed.
 */
export const RESERVED_LABELS = ['alertname', 'severity', 'module', 'kind', 'slo', 'burn_tier', 'failing_channel'] as const;

/**
 * The label of a channel-failure alert naming the channel that fails. Routing never delivers an
 * alert carrying it to that channel (routing/route-tree.ts), so the alert cannot loop through the
 * channel it is about.
 */
export const FAILING_CHANNEL_LABEL = 'failing_channel';
export type ReservedLabel = (typeof RESERVED_LABELS)[number];

/**
 * The fingerprint of an alert instance: rule id plus its grouping tags, canonicalised like a
 * series key (`wallet-spend-failures-critical`, `api-errors{tier=core}`). Stable across runs, so
 * it doubles as the PagerDuty `dedup_key` and the key of the alert's state record.
 */
export function fingerprintOf(ruleId: string, groupTags: Readonly<Record<string, string>>): string {
  const key = seriesKey(groupTags);
  return key === '' ? ruleId : `${ruleId}{${key}}`;
}
