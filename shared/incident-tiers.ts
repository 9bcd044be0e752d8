/** Incident severities, most urgent first, with the response time each one promises. */
export const INCIDENT_TIERS = {
  P0: { responseMinutes: 5, description: 'Complete outage, all users affected.' },
  P1: { responseMinutes: 15, description: 'Core feature down in a region, or severe degradation.' },
  P2: { responseMinutes: 60, description: 'Degraded performance or non-critical feature issues.' },
  P3: { responseMinutes: 24 * 60, description: 'Minor issues, analytics problems, cosmetic bugs.' },
} as const;

export type Severity = keyof typeof INCIDENT_TIERS;

export const SEVERITIES = Object.keys(INCIDENT_TIERS) as Severity[];

/** Lower is more urgent: P0 → 0. Useful for inhibition ("mute what is less severe"). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
