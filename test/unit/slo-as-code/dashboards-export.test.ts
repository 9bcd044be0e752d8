/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- dashboard JSON is read loosely and checked field by field */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v1 } from '@datadog/datadog-api-client';
import { stringify } from 'yaml';
import { main } from '../../../cli/obs';
import { capture } from '../../support/capture-io';
import { SLOS } from '../../../shared/slo-catalogue';

async function dashboard(format: string, ...flags: string[]): Promise<{ json: any; stderr: string }> {
  const io = capture();
  expect(await main(['dashboards', 'export', '--format', format, ...flags], io)).toBe(0);
  return { json: JSON.parse(io.stdout), stderr: io.stderr };
}

const LATENCY_SLOS = ['api-latency', 'chat-delivery', 'ai-response-latency'];
const EXPRESSIBLE = SLOS.map((s) => s.id).filter((id) => !LATENCY_SLOS.includes(id));

/** Every object in a deserialised value that the Datadog client could not map to a model. */
function unparsed(value: unknown, path = '$'): string[] {
  if (value === null || typeof value !== 'object') return [];
  // The client keeps what matches none of its models as an UnparsedObject ({_data}).
  if (value.constructor.name === 'UnparsedObject' || '_data' in value) return [path];
  return Object.entries(value).flatMap(([k, v]) => unparsed(v, `${path}.${k}`));
}

describe('obs dashboards export', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'obs-dashboards-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--format grafana: a dashboard model with a row, attainment, budget and burn-rate panels per SLO, whose every PromQL expression promtool parses', async () => {
    const { json, stderr } = await dashboard('grafana');
    expect(stderr).toBe('');
    expect(json).toMatchObject({ uid: 'obs-slos', title: 'SLOs (obs)', schemaVersion: 39, time: { from: 'now-7d', to: 'now' } });
    expect(json.templating.list).toEqual([expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' })]);
    const panels = json.panels as any[];
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    // Every SLO has its row, ai-response-latency (3 s) too: the exporter's histograms have an le="3000" bound; no "SLOs not shown" note.
    expect(panels.filter((p) => p.type === 'row').map((p) => p.title.split(' — ')[0])).toEqual(SLOS.map((s) => s.name));
    expect(panels.filter((p) => p.type === 'text')).toEqual([]);
    const aiAttainment = panels[panels.findIndex((p) => p.type === 'row' && p.title.startsWith('AI response latency')) + 1];
    expect(aiAttainment.targets[0].expr).toContain('product_ai_response_latency_ms_bucket{le="3000"}[30d]');
    for (const p of panels) {
      expect(typeof p.title).toBe('string');
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (const k of ['x', 'y', 'w', 'h']) expect(Number.isInteger(p.gridPos[k])).toBe(true);
      if (p.type === 'row' || p.type === 'text') continue;
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets) expect(t).toMatchObject({ refId: expect.stringMatching(/^[A-Z]$/), datasource: p.datasource, expr: expect.any(String) });
    }
    expect(panels.filter((p) => p.type !== 'row' && p.type !== 'text')).toHaveLength(SLOS.length * 3);
    // The burn panel reads the recording rules the prometheus-rules export defines.
    const burn = panels.find((p) => p.type === 'timeseries')!;
    expect(burn.targets.map((t: any) => t.expr)).toEqual(['5m', '1h', '6h', '3d'].map((w) => `slo:sli_error:ratio_rate${w}{slo_id="core-api-availability"} / 0.0010000000000000009`));
    // promtool parses every expression (as recording rules of a throwaway file).
    const rules = panels.flatMap((p) => (p.targets ?? []).map((t: any) => t.expr as string)).map((expr, i) => ({ record: `panel:expr_${i}`, expr }));
    const file = join(dir, 'grafana-exprs.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'grafana', rules }] }));
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('--format grafana with OBS_SLO_FILE: the imported 2 s latency SLO has its row like a built-in one, nothing named on stderr', async () => {
    const saved = process.env.OBS_SLO_FILE;
    process.env.OBS_SLO_FILE = join(__dirname, '../../../docs/examples/slos.openslo.yaml');
    try {
      const { json, stderr } = await dashboard('grafana');
      expect(stderr).toBe('');
      const panels = json.panels as any[];
      expect(panels.filter((p) => p.type === 'row').map((p) => p.title.split(' — ')[0])).toEqual([...SLOS.map((s) => s.name), 'Wallet payout success', 'Call setup latency']);
      const attainment = panels[panels.findIndex((p) => p.type === 'row' && p.title.startsWith('Call setup latency')) + 1];
      expect(attainment.targets[0].expr).toContain('product_call_setup_latency_ms_bucket{call_type="video",le="2000"}[30d]');
    } finally {
      if (saved === undefined) delete process.env.OBS_SLO_FILE;
      else process.env.OBS_SLO_FILE = saved;
    }
  });

  it('--format datadog: a Dashboard the official client deserialises into its widget models, a group per expressible SLO, the latency SLOs in a note', async () => {
    const { json } = await dashboard('datadog');
    const model = v1.ObjectSerializer.deserialize(json, 'Dashboard', '') as v1.Dashboard;
    expect(model.layoutType).toBe('ordered');
    expect(model.title).toBe('SLOs (obs)');
    expect(unparsed(model)).toEqual([]);
    const groups = model.widgets.filter((w) => (w.definition as { type: string }).type === 'group');
    expect(groups.map((g) => (g.definition as v1.GroupWidgetDefinition).title!.split(' — ')[0])).toEqual(SLOS.filter((s) => EXPRESSIBLE.includes(s.id)).map((s) => s.name));
    for (const g of groups) expect((g.definition as v1.GroupWidgetDefinition).widgets.map((w) => (w.definition as { type: string }).type)).toEqual(['query_value', 'query_value', 'timeseries']);
    const note = model.widgets.find((w) => (w.definition as { type: string }).type === 'note')!.definition as v1.NoteWidgetDefinition;
    for (const id of LATENCY_SLOS) expect(note.content).toContain(id);
    const wallet = json.widgets.find((w: any) => w.definition.title?.startsWith('Wallet spend success')).definition.widgets[0].definition.requests[0];
    expect(wallet.queries.map((q: any) => q.query)).toEqual([
      'sum:product.wallet.spend.success{*}.as_count() + sum:product.wallet.spend.failed{*}.as_count() - (sum:product.wallet.spend.failed{*}.as_count())',
      'sum:product.wallet.spend.success{*}.as_count() + sum:product.wallet.spend.failed{*}.as_count()',
    ]);
  });

  it('--format gcm --project P: mosaic tiles within 48 columns, one widget each, over the SLOs the gcm SLO export creates', async () => {
    const { json, stderr } = await dashboard('gcm', '--project', 'avalo-prod');
    expect(stderr).toBe('');
    expect(json.displayName).toBe('SLOs (obs)');
    expect(json.mosaicLayout.columns).toBe(48);
    const names = new Set<string>();
    for (const tile of json.mosaicLayout.tiles as any[]) {
      expect(tile.xPos + tile.width).toBeLessThanOrEqual(48);
      const kinds = ['xyChart', 'scorecard', 'text'].filter((k) => tile.widget[k] !== undefined);
      expect(kinds).toHaveLength(1);
      const filters = [tile.widget.scorecard?.timeSeriesQuery, ...(tile.widget.xyChart?.dataSets ?? []).map((d: any) => d.timeSeriesQuery)].filter(Boolean).map((q: any) => q.timeSeriesFilter.filter as string);
      for (const f of filters) {
        const m = /^select_slo_(?:health|budget_fraction|burn_rate)\("projects\/avalo-prod\/services\/obs-[a-z-]+\/serviceLevelObjectives\/([a-z0-9-]+)"(?:, "\d+s")?\)$/.exec(f);
        expect(m).not.toBeNull();
        names.add(m![1]!);
      }
    }
    expect([...names].sort()).toEqual([...EXPRESSIBLE].sort());
    const text = (json.mosaicLayout.tiles as any[]).find((t) => t.widget.text)!;
    for (const id of LATENCY_SLOS) expect(text.widget.text.content).toContain(id);
  });

  it('--format gcm without a project names the placeholder on stderr; --output writes the file', async () => {
    const saved = process.env.GOOGLE_CLOUD_PROJECT;
    delete process.env.GOOGLE_CLOUD_PROJECT;
    try {
      const file = join(dir, 'gcm.json');
      const io = capture();
      expect(await main(['dashboards', 'export', '--format', 'gcm', '--output', file], io)).toBe(0);
      expect(io.stderr).toContain('PROJECT_ID');
      expect(readFileSync(file, 'utf8')).toContain('projects/PROJECT_ID/services/obs-wallet/serviceLevelObjectives/wallet-spend-success');
    } finally {
      if (saved !== undefined) process.env.GOOGLE_CLOUD_PROJECT = saved;
    }
  });

  it('a missing or unknown --format or subcommand is a usage error (64); --help shows the formats', async () => {
    for (const args of [['dashboards', 'export'], ['dashboards', 'export', '--format', 'kibana'], ['dashboards']]) expect(await main(args, capture())).toBe(64);
    const io = capture();
    expect(await main(['dashboards', 'export', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('usage: obs dashboards export --format datadog|gcm|grafana [--output FILE] [--project ID]');
  });
});
