import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..', '..');
// Every file that handles HTTP requests: the health handlers, the dashboard, the local server and the Firebase adapter.
const REQUEST_FILES = ['http/http.ts', 'http/admin-auth.ts', 'http/internal-auth.ts', 'dashboard/dashboard-routes.ts', 'cli/local/http-server.ts', 'cli/local/http-app.ts', 'cli/local/docs-route.ts', 'cli/local/remote-cli.ts', 'functions/http-adapter.ts'];
const PROBE = ['export const nested = (s: string): boolean => /(a+)+$/.test(s);', "export const trim = (s: string): string => s.replace(/\\/+$/, '');", ''].join('\n');

interface LintReport {
  severities: Record<string, [number | undefined, number | undefined]>;
  probe: string[];
  findings: string[];
}

/**
 * ESLint's Node API with the project's own eslint.config.mjs, in a plain node process (jest's module
 * sandbox cannot load an ES-module config): the same config `npm run lint` uses in CI.
 */
async function lintReport(): Promise<LintReport> {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const files = ${JSON.stringify(REQUEST_FILES)};
      const eslint = new ESLint({ cwd: process.cwd() });
      const severities = {};
      for (const file of files) {
        const { rules } = await eslint.calculateConfigForFile(file);
        severities[file] = [rules['regexp/no-super-linear-backtracking']?.[0], rules['regexp/no-super-linear-move']?.[0]];
      }
      const [probe] = await eslint.lintText(${JSON.stringify(PROBE)}, { filePath: 'dashboard/dashboard-routes.ts' });
      const results = await eslint.lintFiles(files);
      const findings = results.flatMap((r) => r.messages.filter((m) => (m.ruleId || '').startsWith('regexp/')).map((m) => r.filePath + ':' + m.line + ' ' + m.message));
      process.stdout.write(JSON.stringify({ severities, probe: probe.messages.map((m) => m.line + ' ' + m.ruleId), findings }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as LintReport;
}

/**
 * The ReDoS lint (issue 17, item 3): a regex that can take super-linear time is a lint error
 * wherever requests are handled, so `npm run lint` fails on one.
 */
describe('the ReDoS lint (eslint-plugin-regexp)', () => {
  let report: LintReport;
  beforeAll(async () => {
    report = await lintReport();
  }, 120_000);

  it.each(REQUEST_FILES)('is an error in %s', (file) => {
    expect(report.severities[file]).toEqual([2, 2]);
  });

  it('reports /(a+)+$/ and the old trailing-slash regex /\\/+$/ in a request-handling file', () => {
    expect(report.probe).toContain('1 regexp/no-super-linear-backtracking');
    expect(report.probe).toContain('2 regexp/no-super-linear-move');
  });

  it('finds nothing in the request-handling files as they are', () => {
    expect(report.findings).toEqual([]);
  });
});
