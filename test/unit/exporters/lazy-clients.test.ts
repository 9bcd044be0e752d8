import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The provider clients load only when their exporter is configured: importing
 * @datadog/datadog-api-client alone costs ~86 MB of heap, which every `obs` command, the local
 * stack and each Cloud Function would otherwise pay (it showed as the soak's heap 47 → 139 MB).
 */
const ROOT = join(__dirname, '..', '..', '..');

function modulesLoadedBy(script: string): string[] {
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', `${script}; process.stdout.write(JSON.stringify(Object.keys(require.cache)))`], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

const heavy = (files: string[]) => files.filter((f) => /node_modules[\\/](@datadog[\\/]datadog-api-client|@google-cloud[\\/]monitoring)[\\/]/.test(f)).length;

describe('provider clients are loaded lazily', () => {
  it('the local stack, the production assembly and exporters without datadog or gcp load neither client', () => {
    const files = modulesLoadedBy(`require('./cli/local/stack'); require('./app/production'); const { exportersFromConfig } = require('./exporters/from-config'); exportersFromConfig({ exporters: ['prometheus'], prometheusPushgatewayUrl: 'http://127.0.0.1:9' }, { warehouse: async () => { throw new Error('unused'); }, clock: { now: Date.now } })`);
    expect(files.some((f) => f.endsWith(join('exporters', 'from-config.ts')))).toBe(true);
    expect(heavy(files)).toBe(0);
  });

  it('configuring datadog and gcp loads both', () => {
    const files = modulesLoadedBy(`const { exportersFromConfig } = require('./exporters/from-config'); exportersFromConfig({ exporters: ['datadog', 'gcp'], datadogApiKey: 'k', datadogSite: 'datadoghq.com', projectId: 'p' }, { warehouse: async () => { throw new Error('unused'); }, clock: { now: Date.now } })`);
    expect(files.some((f) => /@datadog[\\/]datadog-api-client/.test(f))).toBe(true);
    expect(files.some((f) => /@google-cloud[\\/]monitoring/.test(f))).toBe(true);
  });
});
