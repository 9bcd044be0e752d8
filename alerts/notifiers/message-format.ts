import type { AlertSnapshot, NotificationBatch, NotificationKind, NotificationRecord } from '../notify/notification';

/** Wording shared by every channel, so Slack, e-mail and the outbox say the same thing. */

export const STATUS_WORD: Readonly<Record<NotificationKind, string>> = { firing: 'FIRING', reminder: 'STILL FIRING', resolved: 'RESOLVED' };

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 4;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function formatValue(value: number | null, unit: string): string {
  if (value === null) return 'no data';
  if (unit === '× burn rate') return `${formatNumber(value)}×`;
  return unit === '' || unit === 'events' ? formatNumber(value) : `${formatNumber(value)} ${unit}`;
}

/** `23 > 10`, `1,250 ms > 1,000 ms`, `20× > 14.4×`. */
export function valueAgainstThreshold(alert: AlertSnapshot): string {
  return `${formatValue(alert.value, alert.unit)} ${alert.comparator} ${formatValue(alert.threshold, alert.unit)}`;
}

/** One line per alert: `[P0] Wallet spend failures (wallet): 23 > 10`. */
export function alertLine(alert: AlertSnapshot): string {
  const groups = Object.entries(alert.labels)
    .filter(([k]) => !['alertname', 'severity', 'module', 'kind', 'slo', 'burn_tier'].includes(k))
    .map(([k, v]) => `${k}=${v}`);
  const group = groups.length > 0 ? ` {${groups.join(', ')}}` : '';
  return `[${alert.severity}] ${alert.name}${group} (${alert.module}): ${valueAgainstThreshold(alert)}`;
}

export function counts(batch: NotificationBatch): { firing: number; resolved: number } {
  const resolved = batch.items.filter((i) => i.kind === 'resolved').length;
  return { firing: batch.items.length - resolved, resolved };
}

/** `[FIRING:2] [P0] Wallet spend failures (wallet): 23 > 10 and 1 more` — Alertmanager's title style. */
export function batchTitle(batch: NotificationBatch): string {
  const { firing, resolved } = counts(batch);
  const tags = [firing > 0 ? `FIRING:${firing}` : '', resolved > 0 ? `RESOLVED:${resolved}` : ''].filter(Boolean).map((t) => `[${t}]`);
  const first = batch.items[0] as NotificationRecord;
  const more = batch.items.length > 1 ? ` and ${batch.items.length - 1} more` : '';
  return `${tags.join(' ')} ${alertLine(first.alert)}${more}`;
}

export function isoTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}
