import type { SloSpec } from '../shared/slo-catalogue';
import { datadogExport, datadogSlosJson } from './datadog-slo';
import { gcmExport, gcmSlosJson } from './gcm-slo';
import { openSloDocs, openSloYaml } from './openslo-export';
import { prometheusRuleGroups, prometheusRulesYaml } from './prometheus-rules';
import { prometheusExpressible } from './sli-promql';
import { slothSpecs, slothYaml } from './sloth-export';

/**
 * `obs slo export --format …`: every format, as text (what the file holds) and as data (`--json`).
 * YAML formats print YAML, with `--json` the same documents as a JSON array; Datadog and Cloud
 * Monitoring are JSON either way.
 */
export const EXPORT_FORMATS = ['openslo', 'sloth', 'prometheus-rules', 'datadog', 'gcm'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

export interface ExportResult {
  readonly text: string;
  /** Problems the format cannot express (SLOs left out), for stderr. */
  readonly warnings: readonly string[];
}

export function exportSlos(slos: readonly SloSpec[], format: ExportFormat, json = false): ExportResult {
  const asJson = (data: unknown) => JSON.stringify(data, null, 2);
  const prometheus = prometheusExpressible(slos);
  const promWarnings = prometheus.unsupported.map((u) => `${u.sloId}: not exported to Prometheus: ${u.reason}`);
  switch (format) {
    case 'openslo':
      return { text: json ? asJson(slos.flatMap(openSloDocs)) : openSloYaml(slos), warnings: [] };
    case 'sloth':
      return {
        text: json ? asJson(slothSpecs(slos)) : slothYaml(slos),
        warnings: [...promWarnings, ...prometheus.slos.filter((s) => s.calendar).map((s) => `${s.id}: a calendar-month window; Sloth windows are rolling, written as 30 days`)],
      };
    case 'prometheus-rules':
      return { text: json ? asJson({ groups: prometheusRuleGroups(slos) }) : prometheusRulesYaml(slos), warnings: promWarnings };
    case 'datadog': {
      const result = datadogExport(slos);
      const warnings = [
        ...result.unsupported.map((u) => `${u.sloId}: not exported to Datadog: ${u.reason}`),
        ...slos.filter((s) => s.calendar).map((s) => `${s.id}: a calendar-month window; Datadog timeframes are rolling, written as 30d`),
      ];
      return { text: json ? asJson(result) : datadogSlosJson(slos), warnings };
    }
    case 'gcm': {
      const result = gcmExport(slos);
      return { text: json ? asJson(result) : gcmSlosJson(slos), warnings: result.unsupported.map((u) => `${u.sloId}: not exported to Cloud Monitoring: ${u.reason}`) };
    }
  }
}
