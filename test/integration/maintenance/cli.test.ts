/**
 * `obs maintenance add|list|remove` as a person runs them (issue #16): on a DuckDB file, and from
 * another shell while `obs start` holds that file (forwarded into the stack like every warehouse
 * command). A window in progress mutes the module's alert in `obs alerts evaluate`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import type { RunningStack } from '../../../cli/local/stack';
import { startForwardingStack } from '../../support/forwarding-stack';

jest.setTimeout(120_000);

async function obs(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const saved = { ...process.env };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'obs-maintenance-'));
  process.env.OBS_WAREHOUSE = 'duckdb';
  process.env.OBS_DUCKDB_PATH = join(dir, 'observability.duckdb');
  delete process.env.OBSERVABILITY_PROVIDER;
  delete process.env.PUBSUB_EMULATOR_HOST;
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

describe('obs maintenance on the local DuckDB file', () => {
  it('adds a one-off and a recurring window, lists them, removes one', async () => {
    const once = await obs('maintenance', 'add', '--module', 'wallet', '--title', 'Payment provider upgrade', '--start', '2026-12-01T02:00:00Z', '--end', '2026-12-01T04:00:00Z', '--exclude-from-budget', '--at', '2026-11-28T00:00:00Z', '--json');
    expect(once).toMatchObject({ code: 0, stderr: '' });
    const added = (JSON.parse(once.stdout) as { window: { id: string; status: string; excludeFromBudget: boolean; next: { startsAt: string } } }).window;
    expect(added).toMatchObject({ status: 'upcoming', excludeFromBudget: true, next: { startsAt: '2026-12-01T02:00:00.000Z' } });
    expect(added.id).toMatch(/^mw-[0-9a-f]{8}$/);

    const weekly = await obs('maintenance', 'add', '--module', 'chat', '--title', 'Weekly database maintenance', '--every', 'weekly', '--on', 'sun', '--time', '02:00', '--for', '2h', '--tz', 'Europe/Berlin', '--at', '2026-11-28T00:01:00Z');
    expect(weekly.code).toBe(0);
    // Sunday 29 November, 02:00 in Berlin (CET, UTC+1).
    expect(weekly.stdout).toMatch(/^Added maintenance window mw-[0-9a-f]{8} \(chat\): weekly on sun at 02:00 Europe\/Berlin for 2h — Weekly database maintenance\nNext: 2026-11-29T01:00:00.000Z → 2026-11-29T03:00:00.000Z\nRemove it with: obs maintenance remove mw-/);

    const listed = await obs('maintenance', 'list', '--at', '2026-11-29T01:30:00Z');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+MODULE\s+STATUS\s+SCHEDULE\s+NOW OR NEXT\s+BUDGET\s+TITLE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1, 3))).toEqual([['wallet', 'upcoming'], ['chat', 'active']]);

    expect((await obs('maintenance', 'remove', added.id)).stdout).toMatch(`Removed maintenance window ${added.id} (wallet): once 2026-12-01T02:00:00.000Z → 2026-12-01T04:00:00.000Z — Payment provider upgrade`);
    const again = await obs('maintenance', 'remove', added.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no maintenance window with id ${added.id}`);
    const json = JSON.parse((await obs('maintenance', 'list', '--json', '--at', '2026-12-05T00:00:00Z')).stdout) as { windows: Array<{ module: string; next: { startsAt: string } }> };
    expect(json.windows.map((w) => [w.module, w.next.startsAt])).toEqual([['chat', '2026-12-06T01:00:00.000Z']]);
  });

  it('an ended one-off window is listed only with --all', async () => {
    await obs('maintenance', 'add', '--module', 'calls', '--title', 'TURN swap', '--start', '2026-11-01T00:00:00Z', '--end', '2026-11-01T01:00:00Z', '--at', '2026-10-30T00:00:00Z');
    expect((await obs('maintenance', 'list', '--at', '2026-11-28T00:00:00Z')).stdout.trim()).toBe('No maintenance windows.');
    expect((await obs('maintenance', 'list', '--all', '--at', '2026-11-28T00:00:00Z')).stdout).toMatch(/calls\s+ended/);
  });

  it.each([
    [['--title', 'x', '--start', '2026-12-01T02:00:00Z', '--end', '2026-12-01T04:00:00Z'], '--module is required'],
    [['--module', 'payments', '--title', 'x', '--start', '2026-12-01T02:00:00Z', '--end', '2026-12-01T04:00:00Z'], '--module: "payments" is not a module; use one of wallet'],
    [['--module', 'wallet', '--start', '2026-12-01T02:00:00Z', '--end', '2026-12-01T04:00:00Z'], '--title is required'],
    [['--module', 'wallet', '--title', 'x', '--start', 'tomorrow', '--end', '2026-12-01T04:00:00Z'], '--start: "tomorrow" is not an ISO-8601 time'],
    [['--module', 'wallet', '--title', 'x', '--start', '2026-12-01T04:00:00Z', '--end', '2026-12-01T02:00:00Z'], '--end (2026-12-01T02:00:00.000Z) must be after --start'],
    [['--module', 'wallet', '--title', 'x', '--start', '2026-12-01T02:00:00Z'], 'a window needs --start and --end'],
    [['--module', 'wallet', '--title', 'x', '--start', '2026-12-01T02:00:00Z', '--every', 'daily'], 'do not go together'],
    [['--module', 'wallet', '--title', 'x', '--time', '02:00', '--for', '2h'], '--time/--for go with --every daily|weekly'],
    [['--module', 'wallet', '--title', 'x', '--every', 'weekly', '--time', '02:00', '--for', '2h'], '--every weekly needs --on'],
    [['--module', 'wallet', '--title', 'x', '--every', 'daily', '--time', '2am', '--for', '2h'], '--time must be the local time of day the window starts, HH:MM'],
    [['--module', 'wallet', '--title', 'x', '--every', 'daily', '--time', '02:00', '--for', 'two hours'], '--for: "two hours" is not a duration'],
    [['--module', 'wallet', '--title', 'x', '--every', 'daily', '--time', '02:00', '--for', '2h', '--tz', 'Berlin'], '--tz: "Berlin" is not an IANA time zone'],
    [['--module', 'wallet', '--title', 'x', '--every', 'daily', '--time', '02:00', '--for', '2h', '--until', 'soon'], '--until: "soon" is not an ISO-8601 time'],
    [['--module', 'wallet', '--title', 'x', '--start', '2026-12-01T02:00:00Z', '--end', '2026-12-01T04:00:00Z', '--color', 'red'], "Unknown option '--color'"],
  ])('refuses bad input with exit 64 and a message naming the problem (%#)', async (args, message) => {
    const result = await obs('maintenance', 'add', ...args);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage:');
    expect(JSON.parse((await obs('maintenance', 'list', '--json', '--all')).stdout)).toMatchObject({ windows: [] });
  });

  it('a window in progress mutes the module\'s alert in obs alerts evaluate, which names it', async () => {
    const now = Date.now();
    const file = join(dir, 'failures.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 15; i++) lines.push(JSON.stringify({ id: `fail-${i}`, name: 'product.wallet.spend.failed', kind: 'count', value: 1, ts: now - 4 * 60_000 + i * 10_000, tags: { reason: 'timeout' } }));
    writeFileSync(file, lines.join('\n') + '\n');
    expect((await obs('ingest', '--file', file)).code).toBe(0);
    // A minute ahead: the rollups take what was ingested until a few seconds before their "now".
    const at = new Date(now + 60_000).toISOString();
    expect((await obs('aggregate', '--at', at)).code).toBe(0);
    const added = await obs('maintenance', 'add', '--module', 'wallet', '--title', 'Payment provider upgrade', '--start', new Date(now - 3_600_000).toISOString(), '--end', new Date(now + 3_600_000).toISOString(), '--json');
    const id = (JSON.parse(added.stdout) as { window: { id: string } }).window.id;
    const outbox = join(dir, 'outbox.jsonl');
    const evaluated = await obs('alerts', 'evaluate', '--outbox', outbox, '--at', at);
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toMatch(new RegExp(`muted wallet-spend-failures-critical: maintenance ${id}@\\S+ \\(Payment provider upgrade\\)`));
    expect(evaluated.stdout).toContain('Notifications recorded: 0');
    expect(existsSync(outbox) ? readFileSync(outbox, 'utf8') : '').not.toContain('wallet-spend-failures-critical');
  });
});

describe('obs maintenance beside a running obs start', () => {
  let stack: RunningStack;
  let forwarded: string[] = [];

  beforeEach(async () => {
    const duckdbPath = process.env.OBS_DUCKDB_PATH as string;
    ({ stack, forwarded } = await startForwardingStack(duckdbPath));
  });
  afterEach(() => stack?.stop());

  it('add, list and remove run inside the stack, on its file', async () => {
    const added = await obs('maintenance', 'add', '--module', 'ai', '--title', 'Model rollout', '--every', 'daily', '--time', '03:00', '--for', '30m', '--json');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const id = (JSON.parse(added.stdout) as { window: { id: string } }).window.id;
    expect((await obs('maintenance', 'list')).stdout).toMatch(new RegExp(`${id}\\s+ai\\s+(upcoming|active)\\s+daily at 03:00 UTC for 30m`));
    expect((await obs('maintenance', 'remove', id)).code).toBe(0);
    expect(forwarded.filter((c) => c.startsWith('maintenance')).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['maintenance add', 'maintenance list', 'maintenance remove']);
  });
});
