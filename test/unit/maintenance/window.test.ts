import { activeMaintenance, type MaintenanceOccurrence } from '../../../maintenance';
import { maintenanceMuter } from '../../../maintenance/maintenance-muter';
import { parseRecurrence } from '../../../maintenance/recurrence';
import { createMaintenanceWindow, currentOrNextOccurrence, expandWindows, type NewMaintenanceWindow } from '../../../maintenance/window';

const ms = (iso: string) => Date.parse(iso);
const NOW = ms('2026-11-27T12:00:00Z');
const oneOff: NewMaintenanceWindow = { module: 'wallet', title: 'Payment provider upgrade', excludeFromBudget: true, startsAtMs: ms('2026-11-28T02:00:00Z'), endsAtMs: ms('2026-11-28T04:00:00Z'), recurrence: null, createdBy: 'ana' };

describe('maintenance windows', () => {
  it('a one-off window is one occurrence, id <window>@<start>', () => {
    const w = createMaintenanceWindow(oneOff, NOW, 'mw-1');
    expect(expandWindows([w], NOW, NOW + 7 * 86_400_000)).toEqual([
      { id: 'mw-1@2026-11-28T02:00:00.000Z', module: 'wallet', title: 'Payment provider upgrade', startsAt: '2026-11-28T02:00:00.000Z', endsAt: '2026-11-28T04:00:00.000Z', excludeFromBudget: true },
    ]);
    expect(expandWindows([w], ms('2026-11-28T04:00:00Z'), NOW + 7 * 86_400_000)).toEqual([]);
    expect(currentOrNextOccurrence(w, NOW)?.startsAt).toBe('2026-11-28T02:00:00.000Z');
    expect(currentOrNextOccurrence(w, ms('2026-11-28T04:00:00Z'))).toBeUndefined();
  });

  it('occurrences of several windows come sorted by start, then module', () => {
    const nightly = createMaintenanceWindow({ ...oneOff, module: 'chat', title: 'Nightly reindex', endsAtMs: null, startsAtMs: NOW, recurrence: parseRecurrence({ every: 'daily', time: '02:00', durationSeconds: 1800 }) }, NOW, 'mw-2');
    const once = createMaintenanceWindow(oneOff, NOW, 'mw-1');
    const all = expandWindows([once, nightly], NOW, ms('2026-11-30T00:00:00Z'));
    expect(all.map((o) => `${o.module} ${o.startsAt}`)).toEqual(['chat 2026-11-28T02:00:00.000Z', 'wallet 2026-11-28T02:00:00.000Z', 'chat 2026-11-29T02:00:00.000Z']);
    expect(currentOrNextOccurrence(nightly, ms('2026-11-28T02:10:00Z'))?.id).toBe('mw-2@2026-11-28T02:00:00.000Z');
  });

  it.each([
    [{ module: 'payments' }, /--module: "payments" is not a module; use one of wallet, chat/],
    [{ title: '  ' }, /--title is required/],
    [{ title: 'x'.repeat(201) }, /at most 200/],
    [{ title: 'two\nlines' }, /one line of text/],
    [{ endsAtMs: null }, /a one-off window needs --end/],
    [{ endsAtMs: ms('2026-11-28T02:00:00Z') }, /--end \(2026-11-28T02:00:00.000Z\) must be after --start/],
  ])('refuses a window a person would regret (%#)', (change, message) => {
    expect(() => createMaintenanceWindow({ ...oneOff, ...change }, NOW)).toThrow(message);
  });

  it('ids are mw- and 8 hex digits, different each time', () => {
    const a = createMaintenanceWindow(oneOff, NOW).id;
    const b = createMaintenanceWindow(oneOff, NOW).id;
    expect(a).toMatch(/^mw-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });
});

describe('activeMaintenance and the muter', () => {
  const occ = (module: 'wallet' | 'chat', start: string, end: string, id = `${module}@${start}`): MaintenanceOccurrence => ({ id, module, title: `${module} work`, startsAt: start, endsAt: end, excludeFromBudget: false });
  const occurrences = [occ('wallet', '2026-11-28T02:00:00.000Z', '2026-11-28T04:00:00.000Z'), occ('wallet', '2026-11-28T01:00:00.000Z', '2026-11-28T03:00:00.000Z'), occ('chat', '2026-11-28T02:00:00.000Z', '2026-11-28T02:30:00.000Z')];

  it('activeMaintenance: the module\'s occurrences covering the instant (start inclusive, end exclusive), earliest first', () => {
    expect(activeMaintenance(occurrences, ms('2026-11-28T02:00:00Z'), 'wallet').map((o) => o.startsAt)).toEqual(['2026-11-28T01:00:00.000Z', '2026-11-28T02:00:00.000Z']);
    expect(activeMaintenance(occurrences, ms('2026-11-28T04:00:00Z'), 'wallet')).toEqual([]);
    expect(activeMaintenance(occurrences, ms('2026-11-28T02:30:00Z'), 'chat')).toEqual([]);
    expect(activeMaintenance(occurrences, ms('2026-11-28T02:00:00Z'), 'calls')).toEqual([]);
  });

  it('mutes the alerts whose module label is under maintenance, only while it lasts', () => {
    const walletAlert = { alertname: 'payout-failures-high', severity: 'P1', module: 'wallet' };
    expect(maintenanceMuter(occurrences, ms('2026-11-28T03:30:00Z')).mutes(walletAlert, 'x')).toEqual({ by: 'maintenance', maintenanceId: 'wallet@2026-11-28T02:00:00.000Z', title: 'wallet work' });
    expect(maintenanceMuter(occurrences, ms('2026-11-28T04:00:00Z')).mutes(walletAlert, 'x')).toBeUndefined();
    expect(maintenanceMuter(occurrences, ms('2026-11-28T03:30:00Z')).mutes({ ...walletAlert, module: 'chat' }, 'x')).toBeUndefined();
    expect(maintenanceMuter(occurrences, ms('2026-11-28T03:30:00Z')).mutes({ alertname: 'no-module' }, 'x')).toBeUndefined();
  });
});
