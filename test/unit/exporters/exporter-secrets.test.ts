import { createPipelineJobs } from '../../../app/jobs';
import type { Exporter } from '../../../exporters/types';
import { loadConfig } from '../../../shared/config';
import { FakeClock } from '../../../shared/clock';
import { redactorFor } from '../../../shared/redaction';
import { readJobState } from '../../../sql/job-state';
import { MINUTE, openMemoryWarehouse } from '../aggregator/support';
import { seedMinutes, T0 } from './support';

const DD_KEY = 'dd-very-secret-api-key-42';
const PGW = 'https://ops:pgw-Pa55word@pushgateway.example:9091';

describe('the exporters\' secrets (DD_API_KEY, PROMETHEUS_PUSHGATEWAY_URL)', () => {
  it('are redacted by the assembly\'s redactor, the Pushgateway password alone included', () => {
    const redactor = redactorFor(loadConfig({ DD_API_KEY: DD_KEY, PROMETHEUS_PUSHGATEWAY_URL: PGW }));
    expect(redactor.redact(`key ${DD_KEY} url ${PGW} password pgw-Pa55word`)).not.toMatch(/dd-very-secret|pgw-Pa55word/);
  });

  it('never reach the export job\'s stored error or its exception through app/jobs.ts runExports', async () => {
    const wh = await openMemoryWarehouse();
    const now = T0 + 4 * MINUTE;
    await seedMinutes(wh, 1, now);
    const config = loadConfig({ DD_API_KEY: DD_KEY, PROMETHEUS_PUSHGATEWAY_URL: PGW });
    // A provider error that echoes both secrets, on every attempt.
    const leaky: Exporter = { name: 'datadog', maxPointsPerRequest: 100, requestsPerSecond: 1000, send: () => Promise.resolve({ outcome: 'retry', reason: `rejected key ${DD_KEY} while pushing to ${PGW}` }) };
    const jobs = createPipelineJobs({ warehouse: () => Promise.resolve(wh), alertRuntime: () => { throw new Error('unused'); }, exporters: () => [leaky], clock: new FakeClock(now), redactor: redactorFor(config) });
    const error = await jobs.runExports(now).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/still failing after 5 attempts/);
    expect(error?.message).not.toMatch(/dd-very-secret|pgw-Pa55word/);
    const state = await readJobState(wh, 'export:datadog');
    expect(JSON.stringify(state.lastResult)).toContain('[REDACTED]');
    expect(JSON.stringify(state.lastResult)).not.toMatch(/dd-very-secret|pgw-Pa55word/);
    await wh.close();
  });
});
