import type { AlertInstance, Transition } from '../model/alert-instance';
import { keepFiringUntilMs, type AlertSnapshot, type NotificationBatch, type NotificationKind, type NotificationRecord } from '../notify/notification';

/** Wording shared by every channel, so Slack, e-mail and the outbox say the same thing. */

export const STATUS_WORD: Readonly<Record<NotificationKind, string>> = { firing: 'FIRING', reminder: 'STILL FIRING', resolved: 'RESOLVED' };

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 4;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Unit of values that are instants (epoch ms): budget forecasts' projected exhaustion and window end. */
export const INSTANT_UNIT = 'at';

/** `2026-11-25 04:00Z`: an instant to the minute, UTC. */
export function formatInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

export function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'no data';
  if (unit === INSTANT_UNIT) return formatInstant(value);
  if (unit === '× burn rate') return `${formatNumber(value)}×`;
  return unit === '' || unit === 'events' ? formatNumber(value) : `${formatNumber(value)} ${unit}`;
}

/** `23 > 10`, `1,250 ms > 1,000 ms`, `20× > 14.4×`. */
export function valueAgainstThreshold(alert: AlertSnapshot): string {
  return `${formatValue(alert.value, alert.unit)} ${alert.comparator} ${formatValue(alert.threshold, alert.unit)}`;
}

/** Who the alert is: `[P0] Wallet spend failures {feature=chat} (wallet)`. */
export function alertHeadline(alert: Pick<AlertSnapshot, 'labels' | 'severity' | 'name' | 'module'>): string {
  const groups = Object.entries(alert.labels)
    .filter(([k]) => !['alertname', 'severity', 'module', 'kind', 'slo', 'burn_tier'].includes(k))
    .map(([k, v]) => `${k}=${v}`);
  const group = groups.length > 0 ? ` {${groups.join(', ')}}` : '';
  return `[${alert.severity}] ${alert.name}${group} (${alert.module})`;
}

/** One line per alert: `[P0] Wallet spend failures (wallet): 23 > 10`. */
export function alertLine(alert: AlertSnapshot): string {
  return `${alertHeadline(alert)}: ${valueAgainstThreshold(alert)}`;
}

/** `HH:MMZ` (UTC): when a recovering alert stops firing. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)}Z`;
}

type ValueFacts = Pick<AlertSnapshot, 'value' | 'threshold' | 'comparator' | 'unit' | 'firedValue' | 'keepFiringUntilMs'>;

/**
 * The numbers of an alert as a sentence, for the kind of message (issue 12: a resolve used to read
 * "0 > 10"): firing `14 > 10`; still firing but recovered, within keep_firing_for
 * `fired at 14 > 10, now 0 (recovering; keeps firing until 10:23Z)`; resolved
 * `was 14 > 10, now 0`. Alerts stored before the fired value was kept read `now 0 (fires at > 10)`.
 */
export function valueStory(alert: ValueFacts, kind: NotificationKind | 'active'): string {
  const fired = alert.firedValue === undefined || alert.firedValue === null ? undefined : `${formatValue(alert.firedValue, alert.unit)} ${alert.comparator} ${formatValue(alert.threshold, alert.unit)}`;
  const now = alert.value === null ? 'no data now' : `now ${formatValue(alert.value, alert.unit)}`;
  if (kind === 'resolved') return fired ? `was ${fired}, ${now}` : `${now} (fires at ${alert.comparator} ${formatValue(alert.threshold, alert.unit)})`;
  const until = alert.keepFiringUntilMs ?? null;
  if (until !== null) return `${fired ? `fired at ${fired}, ` : ''}${now} (recovering; keeps firing until ${clockTime(until)})`;
  const current = valueAgainstThreshold(alert as AlertSnapshot);
  return fired && alert.firedValue !== alert.value && kind !== 'firing' ? `${current} (fired at ${fired})` : current;
}

/**
 * One alert in a message of `kind`: `[P0] Wallet spend failures (wallet): 14 > 10`;
 * resolved `[P0] Wallet spend failures (wallet) — was 14 > 10, now 0`.
 */
export function itemLine(alert: AlertSnapshot, kind: NotificationKind): string {
  return kind === 'resolved' ? `${alertHeadline(alert)} — ${valueStory(alert, kind)}` : `${alertHeadline(alert)}: ${valueStory(alert, kind)}`;
}

export function counts(batch: NotificationBatch): { firing: number; resolved: number } {
  const resolved = batch.items.filter((i) => i.kind === 'resolved').length;
  return { firing: batch.items.length - resolved, resolved };
}

/**
 * `[FIRING:2] [P0] Wallet spend failures (wallet): 23 > 10 and 1 more` — Alertmanager's title
 * style while anything fires; a batch of resolves reads
 * `Resolved: [P0] Wallet spend failures (wallet) — was 14 > 10, now 0`.
 */
export function batchTitle(batch: NotificationBatch): string {
  const { firing, resolved } = counts(batch);
  const first = batch.items[0] as NotificationRecord;
  const more = batch.items.length > 1 ? ` and ${batch.items.length - 1} more` : '';
  if (firing === 0) return `Resolved: ${itemLine(first.alert, 'resolved')}${more}`;
  const tags = [`FIRING:${firing}`, resolved > 0 ? `RESOLVED:${resolved}` : ''].filter(Boolean).map((t) => `[${t}]`);
  return `${tags.join(' ')} ${itemLine(first.alert, first.kind)}${more}`;
}

export function isoTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/**
 * The VALUE of `obs alerts list` (and any other listing of stored instances): pending and firing
 * `14 > 10`; firing but recovered, within keep_firing_for,
 * `fired at 14 > 10, now 0 (recovering; keeps firing until 10:23Z)`; resolved `was 14 > 10, now 0`;
 * inactive `now 3 (fires at > 10)`.
 */
export function instanceValueText(instance: AlertInstance): string {
  const facts = {
    value: instance.value,
    threshold: instance.threshold,
    comparator: instance.annotations.comparator,
    unit: instance.annotations.unit,
    firedValue: instance.state === 'inactive' ? null : (instance.firedValue ?? null),
    keepFiringUntilMs: keepFiringUntilMs(instance),
  };
  return valueStory(facts, instance.state === 'pending' || instance.state === 'firing' ? 'active' : 'resolved');
}

/** What logs say about a delivery (the stack's log, `obs alerts evaluate`). */
export interface DeliveryFacts {
  readonly channel: string;
  readonly target: string;
  readonly outcome: 'delivered' | 'retry' | 'failed';
  readonly kinds: readonly NotificationKind[];
  readonly reason?: string;
}

/**
 * `pagerduty → outbox (not configured): written (1 firing)` when an unconfigured channel wrote
 * to the outbox (issue 12: the log said "delivered"); `oncall-slack → https://hooks…: delivered
 * (1 resolved)`; `pagerduty → …: will retry: HTTP 503`; `… failed: …`.
 */
export function deliveryLine(d: DeliveryFacts): string {
  const outbox = d.target === 'outbox' || d.target.startsWith('outbox ');
  const where = outbox ? `outbox (not configured${d.target.length > 7 ? `: ${d.target.slice(7)}` : ''})` : d.target;
  const tally = (['firing', 'reminder', 'resolved'] as const)
    .map((k) => [k, d.kinds.filter((x) => x === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const what = d.outcome === 'delivered' ? (outbox ? 'written' : 'delivered') : d.outcome === 'retry' ? 'will retry' : 'failed';
  return `${d.channel} → ${where}: ${what}${tally ? ` (${tally})` : ''}${d.reason && d.outcome !== 'delivered' ? `: ${d.reason}` : ''}`;
}

/** `inactive → firing (value 14, threshold 10)`; `firing → resolved (was 14, now 0; threshold 10)`. */
export function transitionText(t: Pick<Transition, 'from' | 'to' | 'value' | 'threshold' | 'firedValue'>, unit = ''): string {
  const value = (v: number | null) => (v === null ? 'no data' : unit === INSTANT_UNIT ? formatInstant(v) : formatNumber(v));
  if (t.to === 'resolved' && t.firedValue !== undefined && t.firedValue !== null) return `${t.from} → ${t.to} (was ${value(t.firedValue)}, now ${value(t.value)}; threshold ${value(t.threshold)})`;
  return `${t.from} → ${t.to}${t.value === null ? '' : ` (value ${value(t.value)}, threshold ${value(t.threshold)})`}`;
}
