import type { Clock } from '../shared/clock';
import { ConfigError, type ObservabilityConfig } from '../shared/config';
import type { Warehouse } from '../sql/warehouse';
import { createPushgatewayExporter } from './prometheus-exporter';
import { readMinutes } from './read-minutes';
import type { Exporter } from './types';

/**
 * The exporters of a configuration (`config.exporters`: OBSERVABILITY_PROVIDER and OBS_EXPORTERS),
 * each with the variables it needs; a missing one is a ConfigError naming it (fail fast, before
 * anything is sent). docs/CONFIGURATION.md lists them.
 */
export function exportersFromConfig(config: ObservabilityConfig, deps: { warehouse: () => Promise<Warehouse>; clock: Clock }): Exporter[] {
  return config.exporters.map((name): Exporter => {
    if (name === 'datadog') {
      if (!config.datadogApiKey) throw new ConfigError('DD_API_KEY', 'the datadog exporter needs DD_API_KEY (a Datadog API key; DD_SITE picks the site, default datadoghq.com)');
      // Loaded only when configured: importing @datadog/datadog-api-client costs ~86 MB of heap, and
      // @google-cloud/monitoring's protos a few more, in every process that builds exporters.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createDatadogExporter } = require('./datadog-exporter') as typeof import('./datadog-exporter');
      return createDatadogExporter({ apiKey: config.datadogApiKey, site: config.datadogSite, clock: deps.clock });
    }
    if (name === 'gcp') {
      if (!config.projectId) throw new ConfigError('GOOGLE_CLOUD_PROJECT', 'the gcp exporter needs GOOGLE_CLOUD_PROJECT (the project whose Cloud Monitoring receives the metrics)');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createGcmExporter } = require('./gcm-exporter') as typeof import('./gcm-exporter');
      return createGcmExporter({ projectId: config.projectId });
    }
    if (!config.prometheusPushgatewayUrl) throw new ConfigError('PROMETHEUS_PUSHGATEWAY_URL', 'the prometheus exporter needs PROMETHEUS_PUSHGATEWAY_URL (e.g. http://pushgateway:9091)');
    return createPushgatewayExporter({ url: config.prometheusPushgatewayUrl, clock: deps.clock, history: async (from, to) => readMinutes(await deps.warehouse(), from, to) });
  });
}
