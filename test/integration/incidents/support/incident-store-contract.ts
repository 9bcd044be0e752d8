import { incidentEntry, incidentIdOf, type IncidentEntry } from '../../../../incidents/incident';
import type { IncidentStore } from '../../../../incidents/incident-store';

const MIN = 60_000;
const T = Date.UTC(2026, 10, 27, 9, 0, 0);

/** A store for one test, and how to close it. */
export type OpenIncidentStore = () => Promise<{ store: IncidentStore; close: () => Promise<void> }>;

function opened(module: string, atMs: number): IncidentEntry[] {
  const id = incidentIdOf(`module=${module}`, atMs);
  return [
    incidentEntry(id, 'opened', atMs, { groupKey: `module=${module}`, module, severity: 'P0' }),
    incidentEntry(id, 'alert_fired', atMs, { fingerprint: `${module}-rule`, ruleId: `${module}-rule`, severity: 'P0', name: 'Rule', episodeStartMs: atMs }, `${module}-rule`, atMs),
  ];
}

/** The IncidentStore contract (incidents/incident-store.ts), run against every adapter. */
export function incidentStoreContract(open: OpenIncidentStore): void {
  let store: IncidentStore;
  let close: () => Promise<void>;
  beforeEach(async () => ({ store, close } = await open()));
  afterEach(() => close());

  it('stores an incident\'s entries and gives it back whole, with its timeline in order', async () => {
    const entries = opened('wallet', T);
    const id = entries[0]!.incidentId;
    await store.append([incidentEntry(id, 'acknowledged', T + MIN, { by: 'dana', via: 'cli' }, 'k'), ...entries]);
    const incident = await store.get(id);
    expect(incident?.timeline.map((e) => e.type)).toEqual(['opened', 'alert_fired', 'acknowledged']);
    expect([incident?.status, incident?.acknowledgedBy, incident?.module]).toEqual(['acknowledged', 'dana', 'wallet']);
    expect(await store.get('inc-0000000000')).toBeUndefined();
  });

  it('stores an entry appended twice (two writers recording the same event) once', async () => {
    const entries = opened('calls', T);
    const id = entries[0]!.incidentId;
    await store.append(entries);
    await store.append(entries);
    const ack = incidentEntry(id, 'acknowledged', T + MIN, { by: 'dana', via: 'pagerduty' }, 'ev-1');
    await Promise.all([store.append([ack]), store.append([ack])]);
    const incident = await store.get(id);
    expect(incident?.timeline).toHaveLength(3);
    expect(incident?.timeline.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
  });

  it('loads every incident not resolved, and the resolved ones with an entry since the given time', async () => {
    const old = opened('chat', T - 30 * 86_400_000);
    const oldResolved = opened('safety', T - 30 * 86_400_000);
    const recentResolved = opened('fraud', T - 86_400_000);
    await store.append([
      ...old,
      ...oldResolved,
      incidentEntry(oldResolved[0]!.incidentId, 'resolved', T - 29 * 86_400_000, { by: 'alerts', via: 'alerts' }, 'alerts'),
      ...recentResolved,
      incidentEntry(recentResolved[0]!.incidentId, 'resolved', T - 3_600_000, { by: 'alerts', via: 'alerts' }, 'alerts'),
    ]);
    const loaded = await store.load(T - 7 * 86_400_000);
    expect(loaded.map((i) => [i.module, i.status])).toEqual([
      ['fraud', 'resolved'],
      ['chat', 'open'],
    ]);
    expect(loaded[0]?.timeline.map((e) => e.type)).toEqual(['opened', 'alert_fired', 'resolved']);
  });
}
