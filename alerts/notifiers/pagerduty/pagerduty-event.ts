import { createHash } from 'node:crypto';
import type { Severity } from '../../../shared/incident-tiers';
import type { NotificationRecord } from '../../notify/notification';
import type { AlertLinks } from '../links';
import { STATUS_WORD, isoTime, itemLine, valueAgainstThreshold, valueStory } from '../message-format';

/**
 * A PagerDuty Events API v2 event (POST /v2/enqueue), as described by PagerDuty's OpenAPI
 * (test/fixtures/pagerduty-events-v2.openapi.json, which the tests validate every event against).
 */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger' | 'resolve';
  readonly dedup_key: string;
  readonly client?: string;
  readonly client_url?: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: 'critical' | 'error' | 'warning' | 'info';
    readonly timestamp: string;
    readonly component: string;
    readonly group: string;
    readonly class: string;
    readonly custom_details: Readonly<Record<string, unknown>>;
  };
  readonly links?: ReadonlyArray<{ readonly href: string; readonly text: string }>;
}

/** Incident tiers to PagerDuty severities (issue #6). */
export const PAGERDUTY_SEVERITY: Readonly<Record<Severity, 'critical' | 'error' | 'warning' | 'info'>> = {
  P0: 'critical',
  P1: 'error',
  P2: 'warning',
  P3: 'info',
};

/** PagerDuty caps dedup_key at 255 characters and payload.summary at 1,024. */
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1_024;

/**
 * The dedup_key of an alert instance: its fingerprint (stable across runs and episodes), so a
 * reminder updates the same PagerDuty alert and the resolve closes it. A fingerprint too long for
 * PagerDuty becomes the rule id plus a hash of it.
 */
export function dedupKeyOf(fingerprint: string, ruleId: string): string {
  if (fingerprint.length <= MAX_DEDUP_KEY) return fingerprint;
  return `${ruleId.slice(0, 180)}#${createHash('sha256').update(fingerprint).digest('hex')}`;
}

export interface EventContext {
  readonly links: AlertLinks;
  /** `payload.source`: where the problem is; we name the environment and the module. */
  readonly environment: string;
}

/** Renders one notification as an Events API v2 event. Pure. */
export function pagerDutyEvent(item: NotificationRecord, routingKey: string, context: EventContext): PagerDutyEvent {
  const a = item.alert;
  const dedupKey = dedupKeyOf(a.fingerprint, a.ruleId);
  if (item.kind === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const runbookUrl = context.links.runbookUrl(a);
  const dashboardUrl = context.links.dashboardUrl(a);
  const summary = itemLine(a, item.kind);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: 'Avalo observability',
    client_url: dashboardUrl,
    payload: {
      summary: summary.length > MAX_SUMMARY ? `${summary.slice(0, MAX_SUMMARY - 1)}…` : summary,
      source: `avalo-${context.environment}/${a.module}`,
      severity: PAGERDUTY_SEVERITY[a.severity],
      timestamp: isoTime(a.firedAtMs),
      component: a.module,
      group: a.module,
      class: a.labels.kind ?? 'threshold',
      custom_details: {
        status: STATUS_WORD[item.kind],
        incident_tier: a.severity,
        rule: a.ruleId,
        fingerprint: a.fingerprint,
        value: a.value,
        threshold: a.threshold,
        value_vs_threshold: valueAgainstThreshold(a),
        ...(a.firedValue === undefined || a.firedValue === null ? {} : { fired_value: a.firedValue }),
        value_story: valueStory(a, item.kind),
        summary: a.summary,
        runbook: runbookUrl ?? a.runbook,
        labels: a.labels,
        ...(a.labels.kind === 'slo_burn' ? { burn: a.detail } : {}),
      },
    },
    links: [...(runbookUrl ? [{ href: runbookUrl, text: 'Runbook' }] : []), { href: dashboardUrl, text: 'Dashboard' }],
  };
}
