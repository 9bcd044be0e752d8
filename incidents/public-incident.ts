import type { ModuleId } from '../shared/modules';

/**
 * An incident as the public status page shows it (issue #16). Public text never holds metric
 * names, rule ids, tags, hosts or keys: the title is built from the module's display name
 * (`MODULES[m].name`) and a generic phrase; an update's `body` is only what a person wrote with
 * `obs incidents update ID --message … --public`, or a generic automatic line ("We are
 * investigating …", "Resolved"). An incident is public when its severity is P0 or P1, or when a
 * public update was posted.
 */
export interface PublicIncident {
  readonly id: string;
  readonly title: string;
  readonly status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  readonly impact: 'none' | 'minor' | 'major' | 'critical';
  readonly modules: ModuleId[];
  /** ISO 8601 UTC. */
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly resolvedAt: string | null;
  /** Oldest first. */
  readonly updates: Array<{ readonly at: string; readonly status: string; readonly body: string }>;
}

/** Where the status page reads public incidents from: every public incident open now or resolved at or after `sinceMs`. */
export interface PublicIncidentSource {
  publicIncidents(sinceMs: number): Promise<PublicIncident[]>;
}

/** A source with no incidents (an assembly without an incident store). */
export const NO_PUBLIC_INCIDENTS: PublicIncidentSource = { publicIncidents: () => Promise.resolve([]) };
