import type { IncidentEntry } from './incident';

/** One timeline entry in words, for people (`obs incidents show`, the dashboard's Incidents card). Pure. */
export function timelineText(e: IncidentEntry): string {
  const d = e.detail as Record<string, string | number | boolean | undefined>;
  const s = (key: string) => String(d[key] ?? '');
  switch (e.type) {
    case 'opened':
      return `opened (${s('severity')}, group ${s('groupKey')})`;
    case 'alert_fired':
      return `alert fired: ${s('severity')} ${s('name')} (${s('fingerprint')})`;
    case 'alert_resolved':
      return `alert resolved: ${s('fingerprint')}`;
    case 'notified':
      return `notified ${s('channel')} (${s('kind')}): ${s('outcome')}${Number(d.attempts) > 1 ? ` after ${s('attempts')} attempts` : ''}${d.reason ? ` — ${s('reason')}` : ''}`;
    case 'acknowledged':
      return `acknowledged by ${s('by')} via ${s('via')}`;
    case 'update':
      return `update by ${s('by')}${d.public === true ? ' (public)' : ''}: ${s('message')}`;
    case 'resolved':
      return d.via === 'alerts' ? 'resolved: every alert resolved' : `resolved by ${s('by')} via ${s('via')}`;
  }
}
