import type { ComponentHealth } from '../health/probes';
import type { LiveSignals } from '../health/live-signals';

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
    if (alert.severity === 'P0') red.push(`P0 firing: ${alert.ruleId} (${alert.module})`);
    else if (alert.severity === 'P1' || alert.severity === 'P2') yellow.push(`${alert.severity} firing: ${alert.ruleId} (${alert.module})`);
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
