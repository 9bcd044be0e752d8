import { ConfigError, describeConfig, loadConfig, redactSecrets } from '../../../shared';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      provider: 'none',
      metricsTopic: 'metrics-events',
      warehouse: 'duckdb',
      duckdbPath: '.data/observability.duckdb',
      bigqueryDataset: 'observability',
      pagerdutyEventsUrl: 'https://events.pagerduty.com/v2/enqueue',
      port: 8080,
    });
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown provider', { OBSERVABILITY_PROVIDER: 'splunk' }, /OBSERVABILITY_PROVIDER="splunk".*pubsub, none, datadog, gcp, prometheus/],
    ['an unknown exporter', { OBS_EXPORTERS: 'datadog,newrelic' }, /OBS_EXPORTERS names "newrelic".*datadog, gcp, prometheus/],
    ['a Datadog site that is not a host name', { DD_SITE: 'https://datadoghq.eu' }, /DD_SITE="https:\/\/datadoghq.eu" must be a Datadog site host name/],
    ['a Pushgateway URL with the wrong scheme', { PROMETHEUS_PUSHGATEWAY_URL: 'ftp://pgw' }, /PROMETHEUS_PUSHGATEWAY_URL must be a http or https URL/],
    ['an unknown warehouse', { OBS_WAREHOUSE: 'postgres' }, /OBS_WAREHOUSE="postgres".*duckdb, bigquery/],
    ['a port that is not a number', { PORT: 'eighty' }, /PORT="eighty".*0 to 65535/],
    ['an emulator host without a port', { PUBSUB_EMULATOR_HOST: 'localhost' }, /PUBSUB_EMULATOR_HOST.*host:port/],
    ['a two-letter topic', { METRICS_TOPIC: 'ab' }, /METRICS_TOPIC="ab"/],
    ['a dataset with a dash', { OBS_BQ_DATASET: 'my-dataset' }, /OBS_BQ_DATASET/],
    ['an SMTP URL with the wrong scheme', { SMTP_URL: 'http://mail' }, /SMTP_URL must be a smtp or smtps URL/],
    ['an e-mail without an @', { OPS_EMAIL: 'ops' }, /OPS_EMAIL/],
  ];
  it.each([
    ['unset', {}, 'none', []],
    ['none', { OBSERVABILITY_PROVIDER: 'none' }, 'none', []],
    ['pubsub', { OBSERVABILITY_PROVIDER: 'pubsub' }, 'pubsub', []],
    ['the seed\'s datadog: events through Pub/Sub, and the datadog exporter', { OBSERVABILITY_PROVIDER: 'datadog' }, 'pubsub', ['datadog']],
    ['gcp plus OBS_EXPORTERS', { OBSERVABILITY_PROVIDER: 'gcp', OBS_EXPORTERS: 'prometheus, gcp,datadog' }, 'pubsub', ['gcp', 'prometheus', 'datadog']],
    ['OBS_EXPORTERS alone (the transport stays none)', { OBS_EXPORTERS: 'prometheus' }, 'none', ['prometheus']],
  ] as Array<[string, Record<string, string>, string, string[]]>)('OBSERVABILITY_PROVIDER / OBS_EXPORTERS: %s', (_label, env, provider, exporters) => {
    const config = loadConfig(env);
    expect(config.provider).toBe(provider);
    expect(config.exporters).toEqual(exporters);
  });

  it('keeps DD_API_KEY and a Pushgateway URL with credentials out of describeConfig', () => {
    const config = loadConfig({ DD_API_KEY: 'dd-secret-key-123', PROMETHEUS_PUSHGATEWAY_URL: 'https://ops:pgw-pass-456@pgw.example' });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain('dd-secret-key-123');
    expect(text).not.toContain('pgw-pass-456');
    expect(describeConfig(config).datadogApiKey).toBe('set (redacted)');
    expect(config.datadogSite).toBe('datadoghq.com');
  });

  it.each(bad)('rejects %s with an error naming the variable and what it accepts', (_label, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('ignores PORT inside Cloud Functions, where the platform owns it (the emulator sets a socket path)', () => {
    expect(loadConfig({ K_SERVICE: 'ingest', PORT: '/tmp/fire_emu_1c554dc45bfde79b.sock' }).port).toBe(8080);
    expect(loadConfig({ PORT: '9090' }).port).toBe(9090);
  });

  it('never puts a secret webhook URL into its error', () => {
    const secret = 'hooks.slack.example/services/T000/B000/XXXXSECRET';
    let error: unknown;
    try {
      loadConfig({ SLACK_ONCALL_WEBHOOK: `not a url ${secret}` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).not.toContain('XXXXSECRET');
  });

  it('describes the config for logs with every secret redacted', () => {
    const config = loadConfig({
      INTERNAL_HEALTH_API_KEY: 'k-123456',
      SLACK_ONCALL_WEBHOOK: 'https://hooks.slack.example/services/T/B/SECRET1',
      PAGERDUTY_INTEGRATION_KEY: 'pd-SECRET2',
      SMTP_URL: 'smtp://user:SECRET3@mail:25',
    });
    const text = JSON.stringify(describeConfig(config));
    for (const s of ['k-123456', 'SECRET1', 'SECRET2', 'SECRET3']) expect(text).not.toContain(s);
    expect(describeConfig(config).slackOncallWebhook).toBe('set (redacted)');
    expect(describeConfig(config).slackSafetyWebhook).toBe('unset');
  });

  it('redactSecrets replaces every occurrence of each secret', () => {
    expect(redactSecrets('POST https://x/SECRET failed: SECRET', ['SECRET', undefined])).toBe('POST https://x/[REDACTED] failed: [REDACTED]');
  });
});
