import type { ComponentHealth } from '../health/probes';
import type { ActiveAlert, LiveSignals } from '../health/live-signals';
import { formatInstant, INSTANT_UNIT } from '../alerts/notifiers/message-format';

export type BannerColour = 'GREEN' | 'YELLOW' | 'RED';

export interface Banner {
  colour: BannerColour;
  reasons: string[];
}

/** Page-tier burn thresholds (SRE Workbook table 5-8): 14.4× over 1h, 6× over 6h. */
const PAGE_BURNS: ReadonlyArray<[string, number]> = [
  ['1h', 14.4],
  ['6h', 6],
];

/**
 * The global status banner (docs/OPERATIONS.md, "Dashboard"):
 * - RED: a P0 alert firing, or an SLO whose error budget is exhausted.
 * - YELLOW: a P1 or P2 alert firing; an SLO burning at page-tier speed (1h ≥ 14.4× or 6h ≥ 6×);
 *   stale data (an infrastructure component degraded or in error: ingest lag, aggregator,
 *   alert evaluator, warehouse…); or alert state that cannot be read.
 * - GREEN: none of these.
 * Every reason is listed, worst first, so the banner says why.
 */
export function computeBanner(signals: LiveSignals, infrastructure: readonly ComponentHealth[]): Banner {
  const red: string[] = [];
  const yellow: string[] = [];
  for (const alert of signals.alerts.filter((a) => a.state === 'firing')) {
    if (alert.severity === 'P0') red.push(`P0 firing: ${describeAlert(alert)}`);
    else if (alert.severity === 'P1' || alert.severity === 'P2') yellow.push(`${alert.severity} firing: ${describeAlert(alert)}`);
  }
  for (const slo of signals.slos) {
    if (slo.status === 'exhausted') red.push(`SLO ${slo.sloId}: error budget exhausted`);
    for (const [window, factor] of PAGE_BURNS) {
      const rate = slo.burnRates[window];
      if (typeof rate === 'number' && rate >= factor) {
        yellow.push(`SLO ${slo.sloId}: burning ${rate.toFixed(1)}× over ${window}`);
        break;
      }
    }
  }
  for (const c of infrastructure) {
    if (c.status === 'error' || c.status === 'degraded') yellow.push(`${c.name} ${c.status}${c.detail ? `: ${c.detail}` : ''}`);
  }
  if (!signals.alertsKnown) yellow.push('alert state unavailable');
  if (red.length > 0) return { colour: 'RED', reasons: [...red, ...yellow] };
  if (yellow.length > 0) return { colour: 'YELLOW', reasons: yellow };
  return { colour: 'GREEN', reasons: [] };
}

/**
 * "Wallet spend failures (wallet): 14 > 10 events" — the rule's title and the value that keeps it
 * firing, as the on-call reads it; the rule id only when the source does not know the title.
 */
export function describeAlert(alert: ActiveAlert): string {
  const value = formatAlertValue(alert);
  return `${alert.name ?? alert.ruleId} (${alert.module})${value ? `: ${value}` : ''}`;
}

/** "14 > 10 events", "no data", or '' when the source gave no value at all. */
export function formatAlertValue(alert: Pick<ActiveAlert, 'value' | 'threshold' | 'comparator' | 'unit'>): string {
  if (alert.value === undefined) return '';
  if (alert.value === null) return 'no data';
  // Budget forecasts: the projected exhaustion instant against the window's end (alerts/lifecycle.ts).
  if (alert.unit === INSTANT_UNIT) return `${formatInstant(alert.value)}${alert.comparator && alert.threshold !== undefined ? ` ${alert.comparator} ${formatInstant(alert.threshold)}` : ''}`;
  const unit = alert.unit ? ` ${alert.unit}` : '';
  const compared = alert.comparator && alert.threshold !== undefined ? ` ${alert.comparator} ${formatNumber(alert.threshold)}` : '';
  return `${formatNumber(alert.value)}${compared}${unit}`;
}

/** At most three significant decimals, no float noise (0.1 + 0.2 reads 0.3). */
function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(Math.abs(n) >= 100 ? 1 : 3)));
}
