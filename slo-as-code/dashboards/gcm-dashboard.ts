import type { SloSpec } from '../../shared/slo-catalogue';
import { gcmExport } from '../gcm-slo';

/**
 * A Cloud Monitoring dashboard (Dashboards API v1 `projects.dashboards.create`, body `Dashboard`,
 * mosaic layout) over the SLOs `obs slo export --format gcm` creates: per SLO a scorecard of its
 * health (`select_slo_health`), of the budget left (`select_slo_budget_fraction`) and a chart of
 * its burn rate over 1 h and 6 h (`select_slo_burn_rate`), each naming the SLO as
 * `projects/<project>/services/obs-<module>/serviceLevelObjectives/<id>`. The project is
 * `--project`, else GOOGLE_CLOUD_PROJECT. SLOs the SLO export leaves out are listed in a text tile.
 */

const COLUMNS = 48;

export function gcmDashboard(slos: readonly SloSpec[], project: string): Record<string, unknown> {
  const { services, unsupported } = gcmExport(slos);
  const tiles: Array<Record<string, unknown>> = [];
  let y = 0;
  for (const service of services) {
    for (const { serviceLevelObjectiveId: id, serviceLevelObjective: o } of service.serviceLevelObjectives) {
      const name = `projects/${project}/services/${service.serviceId}/serviceLevelObjectives/${id}`;
      const title = String(o.displayName);
      tiles.push({ xPos: 0, yPos: y, width: 12, height: 16, widget: { title: `${title}: SLO health`, scorecard: { timeSeriesQuery: { timeSeriesFilter: { filter: `select_slo_health("${name}")` } }, thresholds: [{ value: Number(o.goal), color: 'RED', direction: 'BELOW' }] } } });
      tiles.push({ xPos: 12, yPos: y, width: 12, height: 16, widget: { title: `${title}: error budget left`, scorecard: { timeSeriesQuery: { timeSeriesFilter: { filter: `select_slo_budget_fraction("${name}")` } }, thresholds: [{ value: 0.5, color: 'YELLOW', direction: 'BELOW' }, { value: 0, color: 'RED', direction: 'BELOW' }] } } });
      tiles.push({
        xPos: 24,
        yPos: y,
        width: 24,
        height: 16,
        widget: {
          title: `${title}: burn rate`,
          xyChart: {
            dataSets: ['3600s', '21600s'].map((lookback) => ({ timeSeriesQuery: { timeSeriesFilter: { filter: `select_slo_burn_rate("${name}", "${lookback}")` } }, plotType: 'LINE', legendTemplate: `burn over ${lookback}` })),
            thresholds: [{ value: 14.4, color: 'RED', direction: 'ABOVE', label: 'page (1h)' }],
            yAxis: { label: 'burn rate', scale: 'LINEAR' },
          },
        },
      });
      y += 16;
    }
  }
  if (unsupported.length > 0) {
    tiles.push({ xPos: 0, yPos: y, width: COLUMNS, height: 8, widget: { title: 'SLOs not in Cloud Monitoring', text: { content: unsupported.map((u) => `- ${u.sloId}: ${u.reason}`).join('\n'), format: 'MARKDOWN' } } });
  }
  return { displayName: 'SLOs (obs)', labels: { obs: '' }, mosaicLayout: { columns: COLUMNS, tiles } };
}
