import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../../support/capture-io';
import { main } from '../../../cli/obs';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { countRollup, MIN, T0 } from './support/alert-env';

const CHANNEL_VARS = ['SLACK_ONCALL_WEBHOOK', 'SLACK_SAFETY_WEBHOOK', 'PAGERDUTY_INTEGRATION_KEY', 'SMTP_URL', 'OPS_EMAIL', 'FINANCE_EMAIL', 'OBS_WAREHOUSE'];

/** `obs alerts …` on a DuckDB file, every channel unconfigured (so deliveries go to the outbox). */
describe('obs alerts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-alerts-cli-'));
  const outbox = join(dir, 'outbox.jsonl');
  const saved: Record<string, string | undefined> = {};
  const at = new Date(T0).toISOString();

  beforeAll(async () => {
    for (const name of [...CHANNEL_VARS, 'OBS_DUCKDB_PATH']) saved[name] = process.env[name];
    for (const name of CHANNEL_VARS) delete process.env[name];
    process.env.OBS_DUCKDB_PATH = join(dir, 'obs.duckdb');
    const warehouse = await DuckDbWarehouse.open(process.env.OBS_DUCKDB_PATH);
    await warehouse.createSchema();
    await warehouse.upsert('metric_rollups', [1, 2, 3, 4, 5].map((m) => countRollup('product.wallet.spend.failed', { reason: 'timeout' }, T0 - m * MIN, 5)));
    await warehouse.close();
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('evaluate --at … --json reports the transition and the deliveries (to the outbox, as nothing is configured)', async () => {
    const io = capture();
    expect(await main(['alerts', 'evaluate', '--at', at, '--json', '--outbox', outbox], io)).toBe(0);
    const report = JSON.parse(io.stdout) as { at: string; transitions: Array<{ fingerprint: string; to: string }>; deliveries: Array<{ channel: string; outcome: string; target: string }> };
    expect(report.at).toBe(at);
    expect(report.transitions).toMatchObject([{ fingerprint: 'wallet-spend-failures-critical', to: 'firing' }]);
    expect(report.deliveries.map((d) => [d.channel, d.outcome, d.target]).sort()).toEqual([
      ['finance-email', 'delivered', `outbox ${outbox}`],
      ['oncall-slack', 'delivered', `outbox ${outbox}`],
      ['pagerduty', 'delivered', `outbox ${outbox}`],
    ]);
    expect(readFileSync(outbox, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('evaluate without --json prints what happened, for people', async () => {
    const io = capture();
    expect(await main(['alerts', 'evaluate', '--at', new Date(T0 + 11 * MIN).toISOString(), '--outbox', outbox], io)).toBe(0);
    expect(io.stdout).toContain('No transitions.');
    expect(io.stdout).toContain('Firing: 1 (wallet-spend-failures-critical, fired by scheduled)');
  });

  it('list --json shows the current state', async () => {
    const io = capture();
    expect(await main(['alerts', 'list', '--json'], io)).toBe(0);
    // Fired by `obs alerts evaluate`: the scheduled path.
    expect((JSON.parse(io.stdout) as { alerts: unknown[] }).alerts).toMatchObject([{ fingerprint: 'wallet-spend-failures-critical', state: 'firing', severity: 'P0', value: 0, threshold: 10, firedBy: 'scheduled' }]);
    const text = capture();
    await main(['alerts', 'list'], text);
    expect(text.stdout).toMatch(/^STATE\s+SEV\s+ALERT\s+VALUE\s+SINCE\s+FIRED BY\n/);
    expect(text.stdout).toMatch(/\nfiring\s+P0\s+wallet-spend-failures-critical\s.*\sscheduled\n/);
  });

  it('silence --matcher … --duration 2h --comment … --json creates a silence; list shows it; expire ends it', async () => {
    const create = capture();
    expect(await main(['alerts', 'silence', '--matcher', 'module=wallet', '--matcher', 'severity=~P0|P1', '--duration', '2h', '--comment', 'provider maintenance', '--author', 'ana', '--at', at, '--json'], create)).toBe(0);
    const { silence } = JSON.parse(create.stdout) as { silence: { id: string; startsAtMs: number; endsAtMs: number; status: string; matchers: unknown[] } };
    expect(silence).toMatchObject({ startsAtMs: T0, endsAtMs: T0 + 120 * MIN, status: 'active', matchers: [{ name: 'module', op: '=', value: 'wallet' }, { name: 'severity', op: '=~', value: 'P0|P1' }] });

    const list = capture();
    expect(await main(['alerts', 'silence', 'list', '--at', at, '--json'], list)).toBe(0);
    expect((JSON.parse(list.stdout) as { silences: Array<{ id: string }> }).silences.map((s) => s.id)).toEqual([silence.id]);

    const expire = capture();
    expect(await main(['alerts', 'silence', 'expire', silence.id, '--at', new Date(T0 + MIN).toISOString(), '--json'], expire)).toBe(0);
    expect(JSON.parse(expire.stdout)).toMatchObject({ silence: { id: silence.id, endsAtMs: T0 + MIN, status: 'expired' } });
    const after = capture();
    await main(['alerts', 'silence', 'list', '--at', new Date(T0 + 2 * MIN).toISOString()], after);
    expect(after.stdout.trim()).toBe('No silences.');
  });

  it.each([
    [['alerts'], /which one/],
    [['alerts', 'silence', '--duration', '2h', '--comment', 'x'], /at least one matcher/],
    [['alerts', 'silence', '--matcher', 'module=wallet', '--comment', 'x'], /--duration is required/],
    [['alerts', 'silence', '--matcher', 'module=wallet', '--duration', '2 hours', '--comment', 'x'], /not a duration/],
    [['alerts', 'evaluate', '--at', 'yesterday'], /not an ISO-8601 time/],
    [['alerts', 'evaluate', '--frobnicate'], /Unknown option/],
  ])('obs %j is a usage error (exit 64) that says what is wrong', async (argv, message) => {
    const io = capture();
    expect(await main(argv, io)).toBe(64);
    expect(io.stderr).toMatch(message);
    expect(io.stderr).toContain('usage:');
  });

  it('silence expire of an unknown id exits 1', async () => {
    const io = capture();
    expect(await main(['alerts', 'silence', 'expire', 'no-such-id'], io)).toBe(1);
    expect(io.stderr).toContain('no silence with id no-such-id');
  });
});
