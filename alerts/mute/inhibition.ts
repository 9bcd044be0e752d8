import type { Labels } from '../model/labels';
import { eq, matchesAll, re, type Matcher } from '../model/matchers';
import type { Muter } from './muter';

/**
 * An inhibition rule (Alertmanager's `inhibit_rules`): while an alert matching `source` fires,
 * alerts matching `target` that have the same values of every `equal` label are muted. An alert
 * never inhibits itself.
 */
export interface InhibitRule {
  readonly name: string;
  readonly source: readonly Matcher[];
  readonly target: readonly Matcher[];
  readonly equal: readonly string[];
}

export const INHIBIT_RULES: readonly InhibitRule[] = [
  // Issue #6: a firing P0 of a module mutes the lower-severity alerts of that module. Not the
  // pipeline's own alerts (issue #11): a failing PagerDuty or stale rollups are not symptoms of an
  // infrastructure P0, and muting them would hide that the P0 itself is not getting through.
  { name: 'p0-mutes-module', source: [eq('severity', 'P0')], target: [re('severity', 'P1|P2|P3'), { name: 'kind', op: '!=', value: 'pipeline' }], equal: ['module'] },
  // A page-tier burn of an SLO makes its ticket-tier burn redundant (Sloth and the Workbook route
  // them separately; one incident should not also open a ticket).
  { name: 'page-burn-mutes-ticket-burn', source: [eq('kind', 'slo_burn'), eq('burn_tier', 'page')], target: [eq('kind', 'slo_burn'), eq('burn_tier', 'ticket')], equal: ['slo'] },
  // The same for a budget forecast (issue #16): while the SLO pages, "the budget will run out" is
  // what the page is already about.
  { name: 'page-burn-mutes-forecast', source: [eq('kind', 'slo_burn'), eq('burn_tier', 'page')], target: [eq('kind', 'slo_forecast')], equal: ['slo'] },
];

/** A firing alert, as inhibition sees it. */
export interface FiringAlert {
  readonly fingerprint: string;
  readonly labels: Labels;
}

/** A {@link Muter} that applies `rules` with `firing` as the possible sources. */
export function inhibitor(firing: readonly FiringAlert[], rules: readonly InhibitRule[] = INHIBIT_RULES): Muter {
  const sourcesByRule = rules.map((rule) => ({ rule, sources: firing.filter((a) => matchesAll(rule.source, a.labels)) }));
  return {
    mutes(labels, fingerprint) {
      for (const { rule, sources } of sourcesByRule) {
        if (sources.length === 0 || !matchesAll(rule.target, labels)) continue;
        const source = sources.find((s) => s.fingerprint !== fingerprint && rule.equal.every((key) => (s.labels[key] ?? '') === (labels[key] ?? '')));
        if (source) return { by: 'inhibition', rule: rule.name, sourceFingerprint: source.fingerprint };
      }
      return undefined;
    },
  };
}
