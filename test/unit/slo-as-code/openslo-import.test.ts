import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { activeSlos, SLOS, useSloCatalogue, type SloSpec } from '../../../shared/slo-catalogue';
import { openSloYaml } from '../../../slo-as-code/openslo-export';
import { importOpenSlo } from '../../../slo-as-code/openslo-import';
import { loadSloFile, normalise } from '../../../slo-as-code/slo-file';

const EXAMPLE = join(__dirname, '../../../docs/examples/slos.openslo.yaml');

/** A file with nine problems in four documents (line numbers below are this text's). */
const MALFORMED = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: Bad_Name
spec:
  service: marketing
  indicatorRef: missing-sli
  budgetingMethod: Timeslices
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: "2026-01-01 00:00:00"
        timeZone: Mars/Olympus
  objectives:
    - target: 99.9
---
apiVersion: openslo/v2
kind: SLI
metadata:
  name: other
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: prometheus
        spec:
          metrics:
            - metric: product.wallet.nope
    total:
      metricSource:
        type: obs
        spec:
          metrics:
            - metric: product.wallet.payout.success
              where: {colour: red}
---
apiVersion: openslo/v1
kind: Dashboard
metadata:
  name: x
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-latency
spec:
  service: infrastructure
  indicator:
    metadata: {name: x}
    spec:
      thresholdMetric:
        metricSource: {type: obs, spec: {metrics: [{metric: infra.http.request.latency_ms}]}}
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  objectives: [{target: 0.95, op: lte, value: 400}]
`;

describe('OpenSLO import (obs slo import, OBS_SLO_FILE)', () => {
  let dir: string;
  const savedEnv = process.env.OBS_SLO_FILE;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'obs-slo-import-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.OBS_SLO_FILE;
    else process.env.OBS_SLO_FILE = savedEnv;
    useSloCatalogue(SLOS);
  });

  it('round trip: the built-in catalogue exported as OpenSLO imports back as the same catalogue', () => {
    const file = join(dir, 'exported.yaml');
    writeFileSync(file, openSloYaml(SLOS));
    const merged = loadSloFile(file);
    expect(merged.added).toEqual([]);
    expect(merged.same).toEqual(SLOS.map((s) => s.id));
    expect(merged.slos.map(normalise)).toEqual(SLOS.map(normalise));
  });

  it('round trip with imported SLOs: export of the merged catalogue (a calendar month, a threshold SLI) imports back to the same merged catalogue', () => {
    const first = loadSloFile(EXAMPLE);
    expect(first.added.map((s) => s.id)).toEqual(['wallet-payout-success', 'call-setup-latency']);
    const file = join(dir, 'merged.yaml');
    writeFileSync(file, openSloYaml(first.slos));
    const second = loadSloFile(file);
    expect(second.slos.map(normalise)).toEqual(first.slos.map(normalise));
    expect(second.added.map(normalise)).toEqual(first.added.map(normalise));
  });

  it('the example file reads as the SLOs it describes', () => {
    const { slos, problems } = importOpenSlo(readFileSync(EXAMPLE, 'utf8'), 'slos.openslo.yaml');
    expect(problems).toEqual([]);
    const expected: SloSpec[] = [
      {
        id: 'wallet-payout-success',
        name: 'Wallet payout success',
        module: 'wallet',
        category: 'success_rate',
        objective: 0.995,
        windowDays: 30,
        calendar: { unit: 'month', timeZone: 'Europe/Berlin' },
        description: 'Creator payouts that complete; a failed payout is bad. Budget resets on the 1st, Berlin time.',
        sli: { total: [{ metric: 'product.wallet.payout.success' }, { metric: 'product.wallet.payout.failed' }], bad: [{ metric: 'product.wallet.payout.failed' }] },
      },
      {
        id: 'call-setup-latency',
        name: 'Call setup latency',
        module: 'calls',
        category: 'latency',
        objective: 0.99,
        windowDays: 28,
        description: '99% of video calls reach connected media within 2 s.',
        sli: { total: [{ metric: 'product.call.setup_latency_ms', where: { call_type: 'video' } }], good: [{ metric: 'product.call.setup_latency_ms', where: { call_type: 'video' }, maxMs: 2000 }] },
      },
    ];
    expect(slos).toEqual(expected);
  });

  it('a malformed file gets one clear problem per mistake, all at once, in line order, and obs slo import exits 65', async () => {
    const file = join(dir, 'malformed.yaml');
    writeFileSync(file, MALFORMED);
    const io = capture();
    expect(await main(['slo', 'import', file, '--json'], io)).toBe(65);
    const { problems } = JSON.parse(io.stdout) as { problems: Array<{ where: string; problem: string }> };
    const lines = problems.map((p) => `${p.where.replace(file, 'F')}: ${p.problem}`);
    expect(lines).toEqual([
      'F:4 (document 1, SLO Bad_Name) metadata.name: must be a lower-case DNS label (a-z, 0-9, -; at most 63 characters), got "Bad_Name"',
      'F:6 (document 1, SLO Bad_Name) spec.service: must be a module id of the catalogue (shared/modules.ts), got "marketing"',
      'F:7 (document 1, SLO Bad_Name) spec.indicatorRef: names no SLI document in the file: "missing-sli"',
      'F:8 (document 1, SLO Bad_Name) spec.budgetingMethod: must be Occurrences (the pipeline counts good and total events), got "Timeslices"',
      'F:14 (document 1, SLO Bad_Name) spec.timeWindow[0].calendar.timeZone: must be an IANA time zone such as Europe/Berlin or UTC, got "Mars/Olympus"',
      'F:16 (document 1, SLO Bad_Name) spec.objectives[0].target: must be a fraction between 0 and 1 exclusive (target: 0.999) or a percentage (targetPercent: 99.9), got 99.9',
      'F:18 (document 2, SLI other) apiVersion: must be openslo/v1, got "openslo/v2"',
      // The SLI no SLO names is checked too: its source type, an unknown metric, a tag the metric does not have.
      'F:27 (document 2, SLI other) spec.ratioMetric.good.metricSource.type: must be obs (this pipeline\'s event log), got "prometheus"',
      'F:30 (document 2, SLI other) spec.ratioMetric.good.metricSource.spec.metrics[0].metric: is not a metric of the catalogue (obs catalog lists them): "product.wallet.nope"',
      'F:37 (document 2, SLI other) spec.ratioMetric.total.metricSource.spec.metrics[0].where.colour: product.wallet.payout.success has no tag colour (its tags: app_version, method, platform, region)',
      'F:40 (document 3, Dashboard x) kind: must be one of SLO, SLI, AlertPolicy, AlertCondition, Service, got "Dashboard"',
      // Read without a problem, but a different api-latency than the built-in one.
      'F (SLO api-latency): clashes with the built-in SLO api-latency (shared/slo-catalogue.ts) and differs from it; give it another metadata.name',
    ]);
    // Text output: the same problems, one per line, on stderr.
    const text = capture();
    expect(await main(['slo', 'import', file], text)).toBe(65);
    expect(text.stderr).toContain(`${file}: 12 problems:`);
    expect(text.stderr.split('\n').filter((l) => l.startsWith(`  ${file}`))).toHaveLength(12);
  });

  it('a missing file exits 66; no file argument is a usage error (64)', async () => {
    const io = capture();
    expect(await main(['slo', 'import', join(dir, 'nope.yaml')], io)).toBe(66);
    expect(io.stderr).toContain('cannot be read: ENOENT');
    expect(await main(['slo', 'import'], capture())).toBe(64);
  });

  it('obs slo import FILE lists what it adds and how to use it; OBS_SLO_FILE makes obs catalog and obs slo export show the merged catalogue', async () => {
    const io = capture();
    expect(await main(['slo', 'import', EXAMPLE], io)).toBe(0);
    expect(io.stdout).toContain('OK — 2 SLOs added to the 7 built-in ones.');
    expect(io.stdout).toContain('wallet-payout-success');
    expect(io.stdout).toContain('calendar month in Europe/Berlin');
    process.env.OBS_SLO_FILE = EXAMPLE;
    const catalog = capture();
    expect(await main(['catalog', '--json'], catalog)).toBe(0);
    expect((JSON.parse(catalog.stdout) as { slos: Array<{ id: string }> }).slos.map((s) => s.id)).toEqual([...SLOS.map((s) => s.id), 'wallet-payout-success', 'call-setup-latency']);
    const rules = capture();
    expect(await main(['slo', 'export', '--format', 'prometheus-rules'], rules)).toBe(0);
    expect(rules.stdout).toContain('rule_id: slo-wallet-payout-success-burn-page');
    expect(activeSlos()).toHaveLength(9);
  });

  it('a bad OBS_SLO_FILE is a configuration error (78) naming the variable and every problem', async () => {
    const file = join(dir, 'bad-env.yaml');
    writeFileSync(file, MALFORMED);
    process.env.OBS_SLO_FILE = file;
    const io = capture();
    expect(await main(['catalog'], io)).toBe(78);
    expect(io.stderr).toContain(`OBS_SLO_FILE=${file}: 12 problems:`);
  });
});
