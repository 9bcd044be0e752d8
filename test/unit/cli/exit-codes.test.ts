import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { COMMANDS } from '../../../cli/commands';

/** Each command, with arguments that get past its usage checks to the point where it reads the configuration. */
const ndjson = join(mkdtempSync(join(tmpdir(), 'obs-exit-')), 'events.ndjson');
writeFileSync(ndjson, '{}\n');

const RUNS: Array<[string, string[]]> = [
  ['start', ['start', '--no-demo']],
  ['emit', ['emit', 'product.wallet.spend.success']],
  ['ingest', ['ingest', '--file', ndjson]],
  ['aggregate', ['aggregate']],
  ['rebuild', ['rebuild', '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-02T00:00:00Z']],
  ['retention', ['retention', 'apply', '--dry-run']],
  ['migrate', ['migrate', 'events-hourly']],
  ['cost', ['cost', '--month', '2026-11']],
  ['slo', ['slo', 'status']],
  ['alerts', ['alerts', 'list']],
  ['maintenance', ['maintenance', 'list']],
  ['incidents', ['incidents', 'list']],
  ['sql', ['sql', 'SELECT 1']],
  ['doctor', ['doctor']],
];

describe('exit statuses: one table for every command (cli/command.ts EXIT)', () => {
  const saved = { ...process.env };
  afterEach(() => (process.env = { ...saved }));

  it.each(RUNS)('a configuration error gives 78 from obs %s, naming the variable', async (_name, args) => {
    process.env.OBS_WAREHOUSE = 'oracle';
    const io = capture();
    expect(await main(args, io)).toBe(78);
    expect(io.stdout + io.stderr).toContain('OBS_WAREHOUSE');
  });

  it('every command that reads the configuration is covered above (catalog and dashboards read none)', () => {
    expect(COMMANDS.map((c) => c.name).filter((n) => n !== 'catalog' && n !== 'dashboards').sort()).toEqual(RUNS.map(([n]) => n).sort());
  });

  it.each([...RUNS.filter(([n]) => n !== 'start'), ['catalog', ['catalog']], ['dashboards', ['dashboards', 'export', '--format', 'grafana']]] as Array<[string, string[]]>)(
    'a bad OBS_SLO_FILE (the SLO catalogue in use) gives 78 from obs %s, naming the variable',
    async (_name, args) => {
      process.env.OBS_SLO_FILE = join(tmpdir(), 'obs-exit-no-such-slo-file.yaml');
      const io = capture();
      expect(await main(args, io)).toBe(78);
      expect(io.stderr).toContain('OBS_SLO_FILE=');
    },
  );

  it.each([...COMMANDS.map((c) => [c.name]), ['alerts', 'silence'], ['alerts', 'silence', 'list'], ['slo', 'report']])('obs %s … --help prints the full help with options and an example, exit 0', async (...path: string[]) => {
    const io = capture();
    expect(await main([...path, '--help'], io)).toBe(0);
    expect(io.stdout).toContain('usage: obs');
    expect(io.stdout).toMatch(/Examples?:\n {2}(npx )?obs|Example:/);
  });

  it('obs alerts silence --help shows its flags, not only the sub-command list', async () => {
    const io = capture();
    await main(['alerts', 'silence', '--help'], io);
    for (const flag of ['--matcher', '--duration', '--comment', '--author', '--start']) expect(io.stdout).toContain(flag);
  });
});
