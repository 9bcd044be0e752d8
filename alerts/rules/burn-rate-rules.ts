import { activeSlos, type SloSpec } from '../../shared/slo-catalogue';
import { BURN_WINDOWS } from '../../shared/time-windows';
import type { BurnRateAlertRule, BurnTier, BurnWindowPair } from '../model/alert-rule';
import { BURN_RATE_TABLE, MIN_EVENTS_IN_LONG_WINDOW, type BurnRateTableRow } from './burn-rate-windows';

/** Page-tier burn alerts are P1, ticket-tier P3 (issue #6). */
const TIER_SEVERITY = { page: 'P1', ticket: 'P3' } as const;

/** Where burn-rate alerts point people: the SLO burn runbook in docs/OPERATIONS.md. */
export const BURN_RATE_RUNBOOK = 'docs/OPERATIONS.md#runbook-slo-burn';

/**
 * The burn-rate factor of a table row for an SLO: budgetFraction × SLO window ÷ long window
 * (SRE Workbook ch. 5). For a 30-day SLO this reproduces the table's 14.4 / 6 / 3 / 1.
 */
export function burnFactor(row: Pick<BurnRateTableRow, 'budgetFraction' | 'longWindow'>, sloWindowDays: number): number {
  const sloWindowSeconds = sloWindowDays * 86_400;
  // Round away floating-point noise (0.02 × 2,592,000 / 3,600 = 14.400000000000002).
  return Math.round(((row.budgetFraction * sloWindowSeconds) / BURN_WINDOWS[row.longWindow]) * 1e9) / 1e9;
}

export function burnRuleId(slo: SloSpec, tier: BurnTier): string {
  return `slo-${slo.id}-burn-${tier}`;
}

/** The window pairs of one tier for one SLO, factors scaled to the SLO's window. */
export function burnWindowPairs(slo: SloSpec, tier: BurnTier, table: readonly BurnRateTableRow[] = BURN_RATE_TABLE): BurnWindowPair[] {
  return table
    .filter((row) => row.tier === tier)
    .map((row) => ({
      longWindow: row.longWindow,
      shortWindow: row.shortWindow,
      budgetFraction: row.budgetFraction,
      factor: burnFactor(row, slo.windowDays),
    }));
}

/**
 * Generates one page-tier and one ticket-tier rule per SLO. A tier fires when any of its window
 * pairs holds (the Workbook's `(1h and 5m) or (6h and 30m)`), so one incident is one page, not two.
 * Burn alerts have no `for` (the short window already demands the burn is still happening) and no
 * `keep_firing_for` (the long window already smooths it).
 */
export function burnRateRules(slos: readonly SloSpec[] = activeSlos(), minEventsInLongWindow = MIN_EVENTS_IN_LONG_WINDOW): BurnRateAlertRule[] {
  const rules: BurnRateAlertRule[] = [];
  for (const slo of slos) {
    for (const tier of ['page', 'ticket'] as const) {
      const windows = burnWindowPairs(slo, tier);
      const pairs = windows.map((w) => `${w.factor}× over ${w.longWindow} and ${w.shortWindow}`).join(', or ');
      rules.push({
        kind: 'slo_burn',
        id: burnRuleId(slo, tier),
        name: `${slo.name} error budget burn (${tier})`,
        severity: TIER_SEVERITY[tier],
        module: slo.module,
        slo,
        tier,
        windows,
        minEventsInLongWindow,
        forSeconds: 0,
        keepFiringForSeconds: 0,
        summary: `${slo.name} (objective ${formatObjective(slo.objective)}) is burning its ${slo.windowDays}-day error budget at ${pairs}.`,
        runbook: BURN_RATE_RUNBOOK,
        // The page tier's fast-burn pair is also evaluated as events arrive (issue #15).
        ...(tier === 'page' ? { streaming: true } : {}),
      });
    }
  }
  return rules;
}

function formatObjective(objective: number): string {
  return `${Number((objective * 100).toFixed(4))}%`;
}
