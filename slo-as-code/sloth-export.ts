import { stringify } from 'yaml';
import { MODULE_IDS } from '../shared/modules';
import type { SloSpec } from '../shared/slo-catalogue';
import { GENERATED_HEADER } from './generated-header';
import { prometheusExpressible, promBad, promTotal } from './sli-promql';

/**
 * Sloth's `prometheus/v1` spec (https://sloth.dev, "Spec: prometheus/v1"), one document per
 * module (Sloth's `service`). Sloth renders `{{.window}}` into each of its windows; its default
 * 30-day windows are the pipeline's table (14.4× 1h/5m and 6× 6h/30m page, 3× 1d/2h and 1× 3d/6h
 * ticket: alerts/rules/burn-rate-windows.ts cites both), so `sloth generate` gives the same
 * alerts as `--format prometheus-rules`, less the pipeline's minimum-traffic guard, which Sloth
 * does not have. A calendar-month SLO has no Sloth equivalent (Sloth windows are rolling) and is
 * written with a 30-day window and a comment saying so.
 */

const WINDOW = '{{.window}}';

function sloEntry(slo: SloSpec): Record<string, unknown> {
  return {
    name: slo.id,
    objective: Number((slo.objective * 100).toFixed(6)),
    description: slo.calendar ? `${slo.description} (a calendar month in ${slo.calendar.timeZone} in the pipeline; Sloth windows are rolling: 30 days here)` : slo.description,
    labels: { module: slo.module, category: slo.category },
    sli: { events: { error_query: promBad(slo, WINDOW), total_query: promTotal(slo, WINDOW) } },
    alerting: {
      name: 'SloErrorBudgetBurn',
      labels: { slo_id: slo.id, module: slo.module },
      annotations: { summary: `${slo.name} is burning its error budget`, runbook: 'docs/OPERATIONS.md#runbook-slo-burn' },
      page_alert: { labels: { tier: 'page', severity: 'P1' } },
      ticket_alert: { labels: { tier: 'ticket', severity: 'P3' } },
    },
  };
}

/** One Sloth document per module that has SLOs, in module order. */
export function slothSpecs(all: readonly SloSpec[]): Array<Record<string, unknown>> {
  const slos = prometheusExpressible(all).slos;
  return MODULE_IDS.filter((m) => slos.some((s) => s.module === m)).map((module) => ({
    version: 'prometheus/v1',
    service: module,
    labels: { owner: module },
    slos: slos.filter((s) => s.module === module).map(sloEntry),
  }));
}

export function slothYaml(slos: readonly SloSpec[]): string {
  return GENERATED_HEADER('obs slo export --format sloth') + slothSpecs(slos).map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
