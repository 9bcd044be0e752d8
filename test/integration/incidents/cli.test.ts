import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../../support/capture-io';
import { main } from '../../../cli/obs';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { countRollup, MIN, T0 } from '../alerts/support/alert-env';

const CHANNEL_VARS = ['SLACK_ONCALL_WEBHOOK', 'SLACK_SAFETY_WEBHOOK', 'PAGERDUTY_INTEGRATION_KEY', 'SMTP_URL', 'OPS_EMAIL', 'FINANCE_EMAIL', 'OBS_WAREHOUSE'];

/** `obs incidents …` on a DuckDB file: a wallet P0 fired by `obs alerts evaluate` opens the incident the commands work on. */
describe('obs incidents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-incidents-cli-'));
  const outbox = join(dir, 'outbox.jsonl');
  const saved: Record<string, string | undefined> = {};
  const at = (m: number) => new Date(T0 + m * MIN).toISOString();
  let id = '';

  beforeAll(async () => {
    for (const name of [...CHANNEL_VARS, 'OBS_DUCKDB_PATH']) saved[name] = process.env[name];
    for (const name of CHANNEL_VARS) delete process.env[name];
    process.env.OBS_DUCKDB_PATH = join(dir, 'obs.duckdb');
    const warehouse = await DuckDbWarehouse.open(process.env.OBS_DUCKDB_PATH);
    await warehouse.createSchema();
    await warehouse.upsert('metric_rollups', [1, 2, 3, 4, 5].map((m) => countRollup('product.wallet.spend.failed', { reason: 'timeout' }, T0 - m * MIN, 5)));
    await warehouse.close();
    expect(await main(['alerts', 'evaluate', '--at', at(0), '--outbox', outbox], capture())).toBe(0);
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('list shows the open wallet incident; --json gives it with its timeline', async () => {
    const io = capture();
    expect(await main(['incidents', 'list', '--at', at(1)], io)).toBe(0);
    expect(io.stdout).toMatch(/^ID\s+STATUS\s+SEV\s+MODULE\s+OPENED\s+ALERTS\s+ACK BY$/m);
    expect(io.stdout).toMatch(/inc-[0-9a-f]{10}\s+open\s+P0\s+wallet\s/);
    const json = capture();
    expect(await main(['incidents', 'list', '--at', at(1), '--json'], json)).toBe(0);
    const incidents = (JSON.parse(json.stdout) as { incidents: Array<{ id: string; status: string; timeline: Array<{ type: string; channel?: string; outcome?: string }> }> }).incidents;
    expect(incidents).toHaveLength(1);
    id = incidents[0]!.id;
    expect(incidents[0]!.timeline.filter((e) => e.type === 'notified').map((e) => `${e.channel}:${e.outcome}`).sort()).toEqual(['finance-email:delivered', 'oncall-slack:delivered', 'pagerduty:delivered']);
  });

  it('ack acknowledges it (by --by, via cli); a second ack changes nothing', async () => {
    const io = capture();
    expect(await main(['incidents', 'ack', id, '--by', 'dana', '--at', at(2)], io)).toBe(0);
    expect(io.stdout).toContain(`Acknowledged ${id}`);
    const again = capture();
    expect(await main(['incidents', 'ack', id, '--by', 'sam', '--at', at(3)], again)).toBe(0);
    expect(again.stdout).toContain('already acknowledged (by dana)');
  });

  it('update adds the text to the timeline, and show prints every step', async () => {
    expect(await main(['incidents', 'update', id, '--message', 'Failing over to the backup provider.', '--public', '--by', 'dana', '--at', at(4)], capture())).toBe(0);
    const io = capture();
    expect(await main(['incidents', 'show', id], io)).toBe(0);
    const lines = io.stdout.split('\n');
    expect(lines[0]).toBe(`${id}  acknowledged  P0 · Wallet & Token Store`);
    expect(io.stdout).toContain('opened (P0, group module=wallet)');
    expect(io.stdout).toContain('alert fired: P0 Wallet spend failures (wallet-spend-failures-critical)');
    expect(io.stdout).toContain('notified pagerduty (firing): delivered');
    expect(io.stdout).toContain('acknowledged by dana via cli');
    expect(io.stdout).toContain('update by dana (public): Failing over to the backup provider.');
  });

  it('answers an unknown id with exit status 1, and bad usage with 64', async () => {
    const unknown = capture();
    expect(await main(['incidents', 'show', 'inc-0000000000'], unknown)).toBe(1);
    expect(unknown.stderr).toContain('no incident with id inc-0000000000');
    expect(await main(['incidents', 'ack', 'inc-0000000000'], capture())).toBe(1);
    const noMessage = capture();
    expect(await main(['incidents', 'update', id], noMessage)).toBe(64);
    expect(noMessage.stderr).toContain('--message is required');
    expect(await main(['incidents', 'update', id, '--message', '   '], capture())).toBe(64);
    expect(await main(['incidents', 'frobnicate'], capture())).toBe(64);
    expect(await main(['incidents', 'show'], capture())).toBe(64);
  });
});
