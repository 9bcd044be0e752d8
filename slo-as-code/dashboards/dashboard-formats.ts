import type { SloSpec } from '../../shared/slo-catalogue';
import { datadogDashboard } from './datadog-dashboard';
import { gcmDashboard } from './gcm-dashboard';
import { grafanaDashboard } from './grafana-dashboard';
import { prometheusExpressible } from '../sli-promql';

/** `obs dashboards export --format …`: an SLO dashboard definition for the chosen tool, as JSON. */
export const DASHBOARD_FORMATS = ['datadog', 'gcm', 'grafana'] as const;
export type DashboardFormat = (typeof DASHBOARD_FORMATS)[number];

export function isDashboardFormat(value: string): value is DashboardFormat {
  return (DASHBOARD_FORMATS as readonly string[]).includes(value);
}

/** The placeholder project when neither --project nor GOOGLE_CLOUD_PROJECT is given. */
export const PROJECT_PLACEHOLDER = 'PROJECT_ID';

export function exportDashboard(slos: readonly SloSpec[], format: DashboardFormat, options: { project?: string } = {}): { json: Record<string, unknown>; warnings: string[] } {
  switch (format) {
    case 'grafana':
      return { json: grafanaDashboard(slos), warnings: prometheusExpressible(slos).unsupported.map((u) => `${u.sloId}: not on the Grafana dashboard: ${u.reason}`) };
    case 'datadog':
      return { json: datadogDashboard(slos), warnings: [] };
    case 'gcm': {
      const project = options.project ?? PROJECT_PLACEHOLDER;
      const warnings = options.project === undefined ? [`no --project and no GOOGLE_CLOUD_PROJECT: the SLO names say ${PROJECT_PLACEHOLDER}; replace it`] : [];
      return { json: gcmDashboard(slos, project), warnings };
    }
  }
}
