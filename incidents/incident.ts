import { createHash } from 'node:crypto';
import type { ChannelId } from '../shared/channels';
import { SEVERITIES, type Severity } from '../shared/incident-tiers';
import { isModuleId, MODULES, type ModuleId } from '../shared/modules';

/**
 * An incident (issue #16): the alerts of one problem — same group key ({@link incidentGroupKey}),
 * overlapping in time — with a timeline of everything that happened to it. The timeline is the
 * source of truth: an append-only list of entries with deterministic ids (so two runs that see the
 * same event write it once), and the incident's state is a fold over it ({@link foldIncident}).
 * That is what lets the evaluator, a PagerDuty webhook and `obs incidents ack` write at the same
 * time without a lock: none of them rewrites what another wrote.
 */
export type IncidentEntryType = 'opened' | 'alert_fired' | 'alert_resolved' | 'notified' | 'acknowledged' | 'update' | 'resolved';

/** How an acknowledgement or a resolve arrived. */
export type IncidentVia = 'cli' | 'pagerduty' | 'alerts';

export interface IncidentEntry {
  readonly id: string;
  readonly incidentId: string;
  readonly atMs: number;
  readonly type: IncidentEntryType;
  /** JSON-safe; what each type holds is in the `*Detail` interfaces below. */
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface OpenedDetail { readonly groupKey: string; readonly module: string; readonly severity: Severity }
export interface AlertFiredDetail { readonly fingerprint: string; readonly ruleId: string; readonly severity: Severity; readonly name: string; readonly episodeStartMs: number }
export interface AlertResolvedDetail { readonly fingerprint: string; readonly episodeStartMs: number }
export interface NotifiedDetail { readonly fingerprint: string; readonly channel: ChannelId; readonly kind: string; readonly outcome: 'delivered' | 'retry' | 'failed'; readonly attempts: number; readonly reason?: string }
export interface AcknowledgedDetail { readonly by: string; readonly via: IncidentVia }
export interface UpdateDetail { readonly message: string; readonly public: boolean; readonly by: string }
export interface ResolvedDetail { readonly by: string; readonly via: IncidentVia }

/** One alert episode of an incident. */
export interface IncidentAlert {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly name: string;
  readonly episodeStartMs: number;
  readonly joinedAtMs: number;
  readonly resolvedAtMs: number | null;
}

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface Incident {
  readonly id: string;
  readonly groupKey: string;
  readonly module: ModuleId;
  /** The module's display name and the highest severity: "P0 · Wallet & Token Store". */
  readonly title: string;
  /** The highest severity of its alerts (P0 highest): the incident's tier. */
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly openedAtMs: number;
  readonly acknowledgedAtMs: number | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedVia: IncidentVia | null;
  readonly resolvedAtMs: number | null;
  readonly resolvedVia: IncidentVia | null;
  readonly updatedAtMs: number;
  readonly alerts: readonly IncidentAlert[];
  /** Oldest first. */
  readonly timeline: readonly IncidentEntry[];
  /** Shown on the public status page: P0 or P1, or a public update was posted. */
  readonly public: boolean;
}

/**
 * The group key of an alert: its module. Alertmanager groups by labels (`group_by`); this project's
 * routes are per severity and module (alerts/routing/routes.ts), and the alerts of one module that
 * fire at overlapping times are one problem for its responders (a wallet error rate and the wallet
 * burn-rate page are the same outage). An alert without a module label is its own group (its rule).
 */
export function incidentGroupKey(labels: Readonly<Record<string, string>>, ruleId: string): string {
  const module = labels.module;
  return module ? `module=${module}` : `rule=${ruleId}`;
}

const hash = (...parts: Array<string | number>): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');

/** A short id people can type (`obs incidents ack inc-3f2a9c1b`), the same for two runs that open the same incident. */
export function incidentIdOf(groupKey: string, openedAtMs: number): string {
  return `inc-${hash('incident', groupKey, openedAtMs).slice(0, 10)}`;
}

/** A timeline entry with its deterministic id: the same event written twice is stored once. */
export function incidentEntry(incidentId: string, type: IncidentEntryType, atMs: number, detail: Readonly<Record<string, unknown>>, ...key: Array<string | number>): IncidentEntry {
  return { id: hash(incidentId, type, ...key).slice(0, 32), incidentId, atMs, type, detail };
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const isSeverity = (s: unknown): s is Severity => typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
const TYPE_ORDER: Record<IncidentEntryType, number> = { opened: 0, alert_fired: 1, alert_resolved: 2, notified: 3, acknowledged: 4, update: 5, resolved: 6 };

/** Entries in timeline order: by time, then opened → fired → resolved alert → notified → … → resolved at the same instant. */
export function sortEntries(entries: readonly IncidentEntry[]): IncidentEntry[] {
  return [...entries].sort((a, b) => a.atMs - b.atMs || TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || a.id.localeCompare(b.id));
}

/**
 * The incident its entries describe. Pure. The first acknowledgement and the first resolve count
 * (later ones stay in the timeline); severity is the highest of its alerts. Undefined when no
 * `opened` entry is among them (a partial read).
 */
export function foldIncident(entries: readonly IncidentEntry[]): Incident | undefined {
  const timeline = sortEntries(entries);
  const opened = timeline.find((e) => e.type === 'opened');
  if (!opened) return undefined;
  const o = opened.detail as unknown as OpenedDetail;
  let severity: Severity = isSeverity(o.severity) ? o.severity : 'P3';
  const alerts = new Map<string, IncidentAlert>();
  let ack: IncidentEntry | undefined;
  let resolved: IncidentEntry | undefined;
  let publicUpdate = false;
  for (const e of timeline) {
    if (e.type === 'alert_fired') {
      const d = e.detail as unknown as AlertFiredDetail;
      const key = `${d.fingerprint}\u0000${d.episodeStartMs}`;
      if (!alerts.has(key)) alerts.set(key, { fingerprint: d.fingerprint, ruleId: d.ruleId, severity: isSeverity(d.severity) ? d.severity : 'P3', name: d.name, episodeStartMs: d.episodeStartMs, joinedAtMs: e.atMs, resolvedAtMs: null });
      if (isSeverity(d.severity) && rank(d.severity) < rank(severity)) severity = d.severity;
    } else if (e.type === 'alert_resolved') {
      const d = e.detail as unknown as AlertResolvedDetail;
      const key = `${d.fingerprint}\u0000${d.episodeStartMs}`;
      const a = alerts.get(key);
      if (a && a.resolvedAtMs === null) alerts.set(key, { ...a, resolvedAtMs: e.atMs });
    } else if (e.type === 'acknowledged') ack ??= e;
    else if (e.type === 'resolved') resolved ??= e;
    else if (e.type === 'update' && (e.detail as unknown as UpdateDetail).public === true) publicUpdate = true;
  }
  const module: ModuleId = isModuleId(o.module) ? o.module : 'infrastructure';
  const ackDetail = ack?.detail as unknown as AcknowledgedDetail | undefined;
  return {
    id: opened.incidentId,
    groupKey: o.groupKey,
    module,
    title: `${severity} · ${MODULES[module].name}`,
    severity,
    status: resolved ? 'resolved' : ack ? 'acknowledged' : 'open',
    openedAtMs: opened.atMs,
    acknowledgedAtMs: ack?.atMs ?? null,
    acknowledgedBy: ackDetail?.by ?? null,
    acknowledgedVia: ackDetail?.via ?? null,
    resolvedAtMs: resolved?.atMs ?? null,
    resolvedVia: (resolved?.detail as unknown as ResolvedDetail | undefined)?.via ?? null,
    updatedAtMs: (timeline[timeline.length - 1] as IncidentEntry).atMs,
    alerts: [...alerts.values()],
    timeline,
    public: rank(severity) <= rank('P1') || publicUpdate,
  };
}

/** Incidents from entries of many incidents (any order), newest first. */
export function foldIncidents(entries: readonly IncidentEntry[]): Incident[] {
  const byId = new Map<string, IncidentEntry[]>();
  for (const e of entries) {
    let list = byId.get(e.incidentId);
    if (!list) byId.set(e.incidentId, (list = []));
    list.push(e);
  }
  const out: Incident[] = [];
  for (const list of byId.values()) {
    const incident = foldIncident(list);
    if (incident) out.push(incident);
  }
  return out.sort((a, b) => b.openedAtMs - a.openedAtMs || a.id.localeCompare(b.id));
}
