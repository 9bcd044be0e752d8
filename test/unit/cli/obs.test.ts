import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';

describe('the obs command', () => {
  it('obs catalog --json lists at least 60 metrics, 12 modules, 7 SLOs, the 9 seed alert rules among the metric rules, and the pipeline rules', async () => {
    const io = capture();
    expect(await main(['catalog', '--json'], io)).toBe(0);
    const catalog = JSON.parse(io.stdout) as Record<string, unknown[]>;
    expect(catalog.metrics!.length).toBeGreaterThanOrEqual(60);
    expect(catalog.modules).toHaveLength(12);
    expect(catalog.slos).toHaveLength(7);
    const ruleIds = (rules: unknown[] | undefined) => (rules ?? []).map((r) => (r as { id: string }).id);
    // The seed's nine rules (seed §8), plus the rules added since (series-overflow-low, issue #17).
    expect(ruleIds(catalog.alertRules)).toEqual(expect.arrayContaining([
      'function-errors-critical', 'wallet-spend-failures-critical', 'call-failures-critical',
      'chat-failures-high', 'payout-failures-high', 'safety-incidents-high',
      'api-latency-medium', 'ai-latency-medium', 'support-ticket-spike-medium',
    ]));
    expect(ruleIds(catalog.alertRules)).toContain('series-overflow-low');
    expect(ruleIds(catalog.pipelineRules)).toEqual([
      'pipeline-stale-rollups',
      'pipeline-stale-alerts',
      'pipeline-dead-letters',
      'pipeline-module-absent',
      'pipeline-channel-failing',
      'pipeline-export-lag-datadog',
      'pipeline-export-lag-gcp',
      'pipeline-export-lag-prometheus',
    ]);
  });

  it('obs --help lists every command', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    for (const name of ['start', 'catalog', 'emit', 'ingest', 'aggregate', 'rebuild', 'slo', 'alerts']) expect(io.stdout).toContain(`obs ${name}`);
  });

  it('an unknown command exits 64 and points at --help', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(64);
    expect(io.stderr).toContain('obs --help');
  });

  it('a bad flag is a usage error, not a crash', async () => {
    const io = capture();
    expect(await main(['catalog', '--jsn'], io)).toBe(64);
    expect(io.stderr).toContain('usage: obs catalog');
  });
});

describe('the local stack serves the docs the runbook links point at', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createDocsRoute } = require('../../../cli/local/docs-route') as typeof import('../../../cli/local/docs-route');
  const route = createDocsRoute();
  const get = (path: string) => route({ method: 'GET', path, headers: {}, query: {} });

  it('serves docs/OPERATIONS.md, which holds a runbook anchor for every seed rule', () => {
    const response = get('/docs/OPERATIONS.md')!;
    expect(response.status).toBe(200);
    for (const id of ['wallet-spend-failures-critical', 'function-errors-critical', 'support-ticket-spike-medium']) expect(response.body).toContain(`### runbook-${id}`);
  });

  it('serves nothing outside docs/', () => {
    expect(get('/docs/../package.json')!.status).toBe(404);
    expect(get('/docs/%2e%2e/package.json')!.status).toBe(404);
    expect(get('/health/public')).toBeUndefined();
  });
});
