import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../../support/capture-io';
import { main } from '../../../cli/obs';
import { WarehouseAlertStore } from '../../../alerts/state/warehouse-alert-store';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { FIRED_BY_CASES, writeFiredByCases } from '../../support/fired-by-instances';
import { T0 } from './support/alert-env';

/** `obs alerts list` says which path fired each firing and resolved alert (issue #15). */
describe('obs alerts list: which path fired each alert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-alerts-fired-by-'));
  let saved: { path: string | undefined; warehouse: string | undefined };

  beforeAll(async () => {
    saved = { path: process.env.OBS_DUCKDB_PATH, warehouse: process.env.OBS_WAREHOUSE };
    delete process.env.OBS_WAREHOUSE;
    process.env.OBS_DUCKDB_PATH = join(dir, 'obs.duckdb');
    const warehouse = await DuckDbWarehouse.open(process.env.OBS_DUCKDB_PATH);
    try {
      await warehouse.createSchema();
      await writeFiredByCases(new WarehouseAlertStore(warehouse), T0);
    } finally {
      await warehouse.close();
    }
  });
  afterAll(() => {
    for (const [name, value] of [['OBS_DUCKDB_PATH', saved.path], ['OBS_WAREHOUSE', saved.warehouse]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a FIRED BY column: streaming, scheduled (rows from before the path was recorded too), — for pending', async () => {
    const io = capture();
    expect(await main(['alerts', 'list', '--all'], io)).toBe(0);
    const [header, ...lines] = io.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^STATE\s+SEV\s+ALERT\s+VALUE\s+SINCE\s+FIRED BY$/);
    const firedByColumn = (header as string).indexOf('FIRED BY');
    const byAlert = Object.fromEntries(lines.map((l) => [l.split(/\s+/)[2], { state: l.split(/\s+/)[0], firedBy: l.slice(firedByColumn).trim() }]));
    expect(byAlert).toEqual({
      [FIRED_BY_CASES.streaming]: { state: 'firing', firedBy: 'streaming' },
      [FIRED_BY_CASES.scheduled]: { state: 'firing', firedBy: 'scheduled' },
      [FIRED_BY_CASES.pending]: { state: 'pending', firedBy: '—' },
      [FIRED_BY_CASES.legacy]: { state: 'resolved', firedBy: 'scheduled' },
    });
  });

  it('--json gives each alert a firedBy field (null when pending)', async () => {
    const io = capture();
    expect(await main(['alerts', 'list', '--all', '--json'], io)).toBe(0);
    const { alerts } = JSON.parse(io.stdout) as { alerts: Array<{ fingerprint: string; state: string; firedBy: unknown }> };
    expect(Object.fromEntries(alerts.map((a) => [a.fingerprint, [a.state, a.firedBy]]))).toEqual({
      [FIRED_BY_CASES.streaming]: ['firing', 'streaming'],
      [FIRED_BY_CASES.scheduled]: ['firing', 'scheduled'],
      [FIRED_BY_CASES.pending]: ['pending', null],
      [FIRED_BY_CASES.legacy]: ['resolved', 'scheduled'],
    });
  });

  it('without --all: the firing ones with their paths, and the pending one', async () => {
    const io = capture();
    expect(await main(['alerts', 'list', '--json'], io)).toBe(0);
    const { alerts } = JSON.parse(io.stdout) as { alerts: Array<{ fingerprint: string; firedBy: unknown }> };
    expect(alerts.map((a) => [a.fingerprint, a.firedBy])).toEqual([
      [FIRED_BY_CASES.scheduled, 'scheduled'], // call-… before wallet-…: both P0 firing
      [FIRED_BY_CASES.streaming, 'streaming'],
      [FIRED_BY_CASES.pending, null],
    ]);
  });

  it('obs alerts evaluate names the path of each alert firing, the streaming-fired one included (last: it moves state)', async () => {
    const channels = ['SLACK_ONCALL_WEBHOOK', 'SLACK_SAFETY_WEBHOOK', 'PAGERDUTY_INTEGRATION_KEY', 'SMTP_URL', 'OPS_EMAIL', 'FINANCE_EMAIL'];
    const kept = channels.map((name) => [name, process.env[name]] as const);
    for (const name of channels) delete process.env[name];
    try {
      const io = capture();
      // No rollups: neither breaches on the scheduled path, and both stay firing (keep_firing_for; the streaming handover).
      expect(await main(['alerts', 'evaluate', '--at', new Date(T0).toISOString(), '--outbox', join(dir, 'outbox.jsonl')], io)).toBe(0);
      expect(io.stdout).toMatch(/^Firing: 2 \(.*\)$/m);
      expect(io.stdout).toContain(`${FIRED_BY_CASES.streaming}, fired by streaming`);
      expect(io.stdout).toContain(`${FIRED_BY_CASES.scheduled}, fired by scheduled`);
    } finally {
      for (const [name, value] of kept) if (value !== undefined) process.env[name] = value;
    }
  });

  it('documents the column in its help', async () => {
    const io = capture();
    await main(['alerts', 'list', '--help'], io);
    expect(io.stdout + io.stderr).toMatch(/FIRED BY: streaming/);
  });
});
