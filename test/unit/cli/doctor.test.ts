import { doctorCommand, doctorExitCode, formatDoctor, type CheckResult } from '../../../cli/commands/doctor';
import { capture } from '../../support/capture-io';

const results: CheckResult[] = [
  { name: 'config', status: 'ok', detail: 'environment development' },
  { name: 'pubsub', status: 'skip', detail: 'not used' },
  { name: 'job:rollup', status: 'warn', detail: 'rollup job last ran 6.0 min ago' },
];

describe('obs doctor (arguments and output)', () => {
  const failure: CheckResult = { name: 'schema', status: 'fail', detail: 'missing tables: slo_status' };
  it.each<[string, number, CheckResult[]]>([
    ['every check ok or skipped', 0, results.slice(0, 2)],
    ['a warning', 1, results],
    ['a failure', 1, [...results.slice(0, 2), failure]],
  ])('with %s, exits %d', (_what, code, given) => {
    expect(doctorExitCode(given)).toBe(code);
  });

  it('prints one line per check: status, name, detail, then a count', () => {
    expect(formatDoctor(results).split('\n')).toEqual([
      'ok    config      environment development',
      'skip  pubsub      not used',
      'warn  job:rollup  rollup job last ran 6.0 min ago',
      '',
      '1 ok, 1 warn, 0 fail, 1 skipped',
    ]);
  });

  it('exits 64 with the usage on an unknown option or a bad --at', async () => {
    for (const args of [['--bogus'], ['--at', 'yesterday-ish']]) {
      const io = capture();
      await expect(doctorCommand.run(args, io)).resolves.toBe(64);
      expect(io.stderr).toContain('usage: obs doctor [--json] [--ping] [--at ISO]');
    }
  });

  it('--help lists every check and option and runs nothing', async () => {
    const io = capture();
    await expect(doctorCommand.run(['--help'], io)).resolves.toBe(0);
    for (const word of ['config', 'warehouse', 'schema', 'pubsub', 'firestore', 'job:rollup', 'channels', 'heartbeat', '--json', '--ping', '--at']) expect(io.stdout).toContain(word);
  });
});
