import { absolutePathArgs } from '../../../cli/local/remote-cli';

describe('a command forwarded into obs start carries absolute paths (the stack runs in its own working folder)', () => {
  const cwd = '/home/ana/reports';

  it.each([
    ['obs sql --file with a relative path', ['sql', '--file', 'q.sql', '--csv'], ['sql', '--file', '/home/ana/reports/q.sql', '--csv']],
    ['obs sql --file=… with a relative path', ['sql', '--file=../q.sql'], ['sql', '--file=/home/ana/q.sql']],
    ['obs ingest --file with a relative path, other flags unchanged', ['ingest', '--file', 'data/e.ndjson', '--service', 'wallet'], ['ingest', '--file', '/home/ana/reports/data/e.ndjson', '--service', 'wallet']],
    ['obs alerts evaluate --outbox with a relative path', ['alerts', 'evaluate', '--outbox', 'out.jsonl'], ['alerts', 'evaluate', '--outbox', '/home/ana/reports/out.jsonl']],
    ['an absolute path, unchanged', ['sql', '--file', '/tmp/q.sql'], ['sql', '--file', '/tmp/q.sql']],
    ['a query and parameters, unchanged', ['sql', 'SELECT 1 AS file', '--param', 'file=x'], ['sql', 'SELECT 1 AS file', '--param', 'file=x']],
    ['--file without a value, left for the command to refuse', ['sql', '--file'], ['sql', '--file']],
    ['anything after --, unchanged', ['sql', '--', '--file', 'q.sql'], ['sql', '--', '--file', 'q.sql']],
  ])('%s', (_name, args, expected) => {
    expect(absolutePathArgs(args, cwd)).toEqual(expected);
  });
});
