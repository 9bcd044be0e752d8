/**
 * The public status page's data (issue #16), shaped like Atlassian Statuspage's
 * `GET /api/v2/summary.json` so that tools written for Statuspage read it unchanged: `page`,
 * `status` (indicator + description), `components`, `incidents` (unresolved, with their
 * `incident_updates`) and `scheduled_maintenances` (in progress or upcoming). Field names and
 * enumerations are Statuspage's; `uptime` on a component is this project's addition (Statuspage
 * shows its uptime bars on the HTML page only).
 *
 * Nothing internal is ever put here: no metric names, rule ids, SLO ids, tags, hosts or keys
 * (test/unit/status-page/status-page-leaks.test.ts scans for each of them).
 */

export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';
export type Indicator = 'none' | 'minor' | 'major' | 'critical';
export type IncidentImpact = 'none' | 'minor' | 'major' | 'critical';

/** One UTC day of a component's uptime bar. */
export interface UptimeDay {
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  /** Good / total events of the component's worst objective that day; null: no events measured. */
  readonly uptime: number | null;
  /** `met`: every objective met; `missed`: one missed; `outage`: one missed by more than 10× its allowance; `no_data`. */
  readonly state: 'met' | 'missed' | 'outage' | 'no_data';
}

export interface ComponentUptime {
  /** False when the component has no objective the uptime could be measured by (its bar is all `no_data`). */
  readonly measured: boolean;
  /** Over the whole period: the worst objective's good / total events; null without events. */
  readonly uptime: number | null;
  /** Oldest first, one per day of the period (90). */
  readonly days: readonly UptimeDay[];
}

export interface StatusComponent {
  readonly id: string;
  readonly name: string;
  readonly status: ComponentStatus;
  readonly created_at: string | null;
  readonly updated_at: string;
  readonly position: number;
  readonly description: string | null;
  readonly showcase: boolean;
  readonly start_date: string | null;
  readonly group_id: string | null;
  readonly page_id: string;
  readonly group: boolean;
  readonly only_show_if_degraded: boolean;
  readonly uptime: ComponentUptime;
}

export interface IncidentUpdate {
  readonly id: string;
  readonly status: string;
  readonly body: string;
  readonly incident_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly display_at: string;
  readonly affected_components: null;
}

/** The parts of a Statuspage component an incident or maintenance lists as affected. */
export interface AffectedComponent {
  readonly id: string;
  readonly name: string;
  readonly status: ComponentStatus;
}

export interface StatusIncident {
  readonly id: string;
  readonly name: string;
  readonly status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  readonly created_at: string;
  readonly updated_at: string;
  readonly monitoring_at: string | null;
  readonly resolved_at: string | null;
  readonly impact: IncidentImpact;
  readonly shortlink: string;
  readonly started_at: string;
  readonly page_id: string;
  /** Newest first, as Statuspage lists them. */
  readonly incident_updates: readonly IncidentUpdate[];
  readonly components: readonly AffectedComponent[];
}

export interface StatusMaintenance {
  readonly id: string;
  readonly name: string;
  readonly status: 'scheduled' | 'in_progress';
  readonly created_at: string;
  readonly updated_at: string;
  readonly monitoring_at: null;
  readonly resolved_at: null;
  readonly impact: 'maintenance';
  readonly shortlink: string;
  readonly started_at: string;
  readonly page_id: string;
  readonly incident_updates: readonly IncidentUpdate[];
  readonly components: readonly AffectedComponent[];
  readonly scheduled_for: string;
  readonly scheduled_until: string;
}

export interface StatusSummary {
  readonly page: { readonly id: string; readonly name: string; readonly url: string; readonly time_zone: string; readonly updated_at: string };
  readonly status: { readonly indicator: Indicator; readonly description: string };
  readonly components: readonly StatusComponent[];
  /** Unresolved incidents (Statuspage's summary lists only those). */
  readonly incidents: readonly StatusIncident[];
  /** In progress or starting within the look-ahead. */
  readonly scheduled_maintenances: readonly StatusMaintenance[];
}

/** What the HTML page shows besides the summary: incidents resolved recently ("Past incidents"). */
export interface StatusPageData {
  readonly summary: StatusSummary;
  readonly resolvedIncidents: readonly StatusIncident[];
  /** Sources that could not be read (shown as a notice, without detail): e.g. `incidents`. */
  readonly unavailable: readonly ('incidents' | 'maintenance' | 'uptime')[];
}
