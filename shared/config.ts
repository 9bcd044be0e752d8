/**
 * Configuration read from the environment once. A wrong value fails fast with an error naming the
 * variable and the accepted values; secrets (webhooks, keys, SMTP URL) are kept but never printed —
 * use {@link describeConfig} for anything that reaches a log.
 */
export type ObservabilityProvider = 'pubsub' | 'none';
/** A metrics provider the exporter stage can send the closed 1-minute rollups to (exporters/). */
export type MetricsExporterName = 'datadog' | 'gcp' | 'prometheus';
export const METRICS_EXPORTER_NAMES: readonly MetricsExporterName[] = ['datadog', 'gcp', 'prometheus'];
export type WarehouseKind = 'duckdb' | 'bigquery';
/** OBS_BQ_WRITE_API: how ingest writes metric_events and dead_letters to BigQuery (sql/bigquery/README.md). */
export type BigQueryWriteApi = 'storage' | 'insert-all';

export interface ObservabilityConfig {
  /**
   * The emitter's transport. OBSERVABILITY_PROVIDER=datadog|gcp|prometheus (the seed's values) also
   * mean `pubsub` here: events still go through Pub/Sub to the event log, and the exporter stage
   * forwards the rollups to that provider (`exporters`).
   */
  provider: ObservabilityProvider;
  /** The exporters to run: OBSERVABILITY_PROVIDER when it names a provider, plus every name in OBS_EXPORTERS (deduplicated, in that order). */
  exporters: MetricsExporterName[];
  /** DD_API_KEY: the Datadog exporter's API key. A secret. */
  datadogApiKey: string | undefined;
  /** DD_SITE: the Datadog site (datadoghq.com, datadoghq.eu, us3.datadoghq.com, …); default datadoghq.com. */
  datadogSite: string;
  /** PROMETHEUS_PUSHGATEWAY_URL: where the Prometheus exporter pushes. May hold basic-auth credentials: a secret. */
  prometheusPushgatewayUrl: string | undefined;
  projectId: string | undefined;
  pubsubEmulatorHost: string | undefined;
  firestoreEmulatorHost: string | undefined;
  metricsTopic: string;
  warehouse: WarehouseKind;
  duckdbPath: string;
  bigqueryDataset: string;
  /**
   * OBS_BQ_WRITE_API (`storage` | `insert-all`, default `storage`): the Storage Write API's default
   * stream (billed per GB, 2 TB a month free) or the legacy streaming inserts (billed per row, at
   * least 1 KB each), kept as the fallback. Only with OBS_WAREHOUSE=bigquery.
   */
  bigqueryWriteApi: BigQueryWriteApi;
  environment: string;
  port: number;
  internalHealthApiKey: string | undefined;
  slackOncallWebhook: string | undefined;
  slackSafetyWebhook: string | undefined;
  pagerdutyIntegrationKey: string | undefined;
  pagerdutyEventsUrl: string;
  /**
   * PAGERDUTY_WEBHOOK_SECRET: the signing secret of the PagerDuty v3 webhook subscription
   * (POST /webhooks/pagerduty, incidents/pagerduty-webhook.ts). A secret: whoever holds it can
   * acknowledge and resolve incidents. Unset: the route answers 503.
   */
  pagerdutyWebhookSecret: string | undefined;
  smtpUrl: string | undefined;
  opsEmail: string | undefined;
  financeEmail: string | undefined;
  /** OBS_MAX_SERIES_PER_METRIC_PER_DAY: the ingest cardinality limit (ingest/cardinality-limiter.ts). */
  maxSeriesPerMetricPerDay: number;
  /**
   * OBS_HEARTBEAT_URL: the dead man's switch (alerts/run/heartbeat.ts), pinged with a GET after
   * every successful alert evaluation. A secret: whoever holds it can fake "alive".
   */
  heartbeatUrl: string | undefined;
  /**
   * OBS_GATE_TOKEN: a bearer token CI/CD presents to GET /api/slo/gate (the release gate,
   * slo-gate/) instead of an admin token; it opens that route only. A secret, at least 16 characters.
   */
  gateToken: string | undefined;
  /**
   * OBS_STREAMING_ALERTS (`on` | `off`, default `on`): evaluate the streaming rules (P0 rules,
   * fast-burn pages) as ingest stores events (issue #15, alerts/streaming/); `off` leaves every
   * rule to the scheduled evaluator.
   */
  streamingAlerts: boolean;
  /** OBS_RETENTION_*_DAYS: how long each time-series table keeps its rows (docs/OPERATIONS.md, "Retention"; sql/retention.ts). */
  retention: RetentionDays;
}

/**
 * Days of data kept per table (issue #13). BigQuery applies them as partition expiry
 * (sql/ddl.ts); `obs retention apply` deletes the same rows from DuckDB, and the 1-minute rows of
 * the rollup tables on both (their table keeps hours and days longer).
 */
export interface RetentionDays {
  /** OBS_RETENTION_EVENTS_DAYS: metric_events. */
  readonly eventsDays: number;
  /** OBS_RETENTION_DEAD_LETTERS_DAYS: dead_letters. */
  readonly deadLettersDays: number;
  /** OBS_RETENTION_MINUTE_ROLLUPS_DAYS: the 60 s windows of metric_rollups and metric_histograms. */
  readonly minuteRollupsDays: number;
  /** OBS_RETENTION_ROLLUPS_DAYS: the hour and day windows (and the tables' partition expiry). */
  readonly rollupsDays: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULTS = {
  metricsTopic: 'metrics-events',
  duckdbPath: '.data/observability.duckdb',
  bigqueryDataset: 'observability',
  bigqueryWriteApi: 'storage',
  pagerdutyEventsUrl: 'https://events.pagerduty.com/v2/enqueue',
  port: 8080,
  datadogSite: 'datadoghq.com',
  // OpenTelemetry's SDK default cardinality limit per metric stream; docs/OPERATIONS.md ("Cardinality limits").
  maxSeriesPerMetricPerDay: 2_000,
  // The seed keeps metrics 30–90 days; hours and days 13 months: 397 days is the longest 13
  // calendar months (a leap year and a 31-day month), so last year's same month is always there.
  retention: { eventsDays: 90, deadLettersDays: 30, minuteRollupsDays: 35, rollupsDays: 397 },
} as const;

/**
 * The least each retention may be, and why: the incremental rollup recomputes windows up to 7 days
 * back from the raw events and merges hours from their minutes (aggregator/rollup-plan.ts), and the
 * SLO job tiles its 30-day window's edges with minute and hour rows (sql/queries/slo-window-sums.ts).
 */
export const RETENTION_MINIMUM_DAYS = { eventsDays: 8, deadLettersDays: 1, minuteRollupsDays: 31, rollupsDays: 31 } as const;
const RETENTION_MAXIMUM_DAYS = 36_500;
/**
 * On BigQuery, the most each retention may be: a table has at most 10,000 partitions, and the
 * partition expiry keeps days × partitions a day of them (sql/ddl.ts, maxRetentionDays: hourly
 * metric_events 416 days, daily tables 9,998). minuteRollupsDays is bounded by rollupsDays.
 */
export const BIGQUERY_RETENTION_MAXIMUM_DAYS = { eventsDays: 416, deadLettersDays: 9_998, rollupsDays: 9_998 } as const;

function bigqueryRetention(retention: RetentionDays): RetentionDays {
  const why = { eventsDays: 'metric_events is partitioned by hour', deadLettersDays: 'dead_letters is partitioned by day', rollupsDays: 'the rollup tables are partitioned by day' } as const;
  for (const field of ['eventsDays', 'deadLettersDays', 'rollupsDays'] as const) {
    const max = BIGQUERY_RETENTION_MAXIMUM_DAYS[field];
    if (retention[field] <= max) continue;
    const name = RETENTION_VARIABLES[field];
    throw new ConfigError(name, `${name}=${retention[field]} is more than BigQuery allows (OBS_WAREHOUSE=bigquery): ${why[field]} and a table has at most 10,000 partitions, so at most ${max} days (docs/DEPLOYMENT.md, "Hourly partitions of metric_events")`);
  }
  return retention;
}

const RETENTION_VARIABLES = {
  eventsDays: 'OBS_RETENTION_EVENTS_DAYS',
  deadLettersDays: 'OBS_RETENTION_DEAD_LETTERS_DAYS',
  minuteRollupsDays: 'OBS_RETENTION_MINUTE_ROLLUPS_DAYS',
  rollupsDays: 'OBS_RETENTION_ROLLUPS_DAYS',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function oneOf<T extends string>(env: Env, name: string, accepted: readonly T[], fallback: T): T {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if ((accepted as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(name, `${name}=${JSON.stringify(value)} is not accepted; use one of: ${accepted.join(', ')} (unset means ${fallback})`);
}

function url(env: Env, name: string, protocols: readonly string[], secret: boolean): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `${name} is not a valid URL${secret ? '' : `: ${JSON.stringify(value)}`}; expected ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `${name} must be a ${protocols.join(' or ')} URL, got a ${parsed.protocol.replace(/:$/, '')} URL`);
  }
  return value;
}

function hostPort(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  if (!/^[^\s:/]+:\d{1,5}$/.test(value)) {
    throw new ConfigError(name, `${name}=${JSON.stringify(value)} must be host:port, e.g. 127.0.0.1:8085`);
  }
  return value;
}

function email(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  const addresses = value.split(',').map((a) => a.trim());
  if (addresses.some((a) => !/^[^\s@]+@[^\s@]+$/.test(a))) {
    throw new ConfigError(name, `${name} must be an e-mail address or a comma-separated list of them`);
  }
  return value;
}

function port(env: Env, name: string, fallback: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new ConfigError(name, `${name}=${JSON.stringify(value)} must be a TCP port number from 0 to 65535`);
  }
  return n;
}

/** OBS_GATE_TOKEN: unset, or at least 16 characters without spaces (a bearer token; never echoed). */
function gateToken(env: Env): string | undefined {
  const value = optional(env, 'OBS_GATE_TOKEN');
  if (value === undefined) return undefined;
  if (value.length < 16 || /\s/.test(value)) throw new ConfigError('OBS_GATE_TOKEN', `OBS_GATE_TOKEN must be at least 16 characters without spaces (it has ${value.length}); generate one with \`openssl rand -hex 32\``);
  return value;
}

function positiveInteger(env: Env, name: string, fallback: number, max: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ConfigError(name, `${name}=${JSON.stringify(value)} must be a whole number from 1 to ${max} (unset means ${fallback})`);
  }
  return n;
}

function retentionDays(env: Env): RetentionDays {
  const days = (name: string, field: keyof RetentionDays): number => {
    const fallback = DEFAULTS.retention[field];
    const value = optional(env, name);
    if (value === undefined) return fallback;
    const n = Number(value);
    const min = RETENTION_MINIMUM_DAYS[field];
    if (!/^\d+$/.test(value) || n < min || n > RETENTION_MAXIMUM_DAYS) {
      throw new ConfigError(name, `${name}=${JSON.stringify(value)} must be a whole number of days from ${min} to ${RETENTION_MAXIMUM_DAYS} (unset means ${fallback})`);
    }
    return n;
  };
  const retention: RetentionDays = {
    eventsDays: days('OBS_RETENTION_EVENTS_DAYS', 'eventsDays'),
    deadLettersDays: days('OBS_RETENTION_DEAD_LETTERS_DAYS', 'deadLettersDays'),
    minuteRollupsDays: days('OBS_RETENTION_MINUTE_ROLLUPS_DAYS', 'minuteRollupsDays'),
    rollupsDays: days('OBS_RETENTION_ROLLUPS_DAYS', 'rollupsDays'),
  };
  if (retention.minuteRollupsDays > retention.rollupsDays) {
    throw new ConfigError(
      'OBS_RETENTION_MINUTE_ROLLUPS_DAYS',
      `OBS_RETENTION_MINUTE_ROLLUPS_DAYS=${retention.minuteRollupsDays} is longer than OBS_RETENTION_ROLLUPS_DAYS=${retention.rollupsDays}: the rollup tables' partitions expire after OBS_RETENTION_ROLLUPS_DAYS, minute rows included`,
    );
  }
  return retention;
}

/** OBSERVABILITY_PROVIDER as the emitter's transport: a provider name means Pub/Sub plus that exporter. */
function providerTransport(env: Env): ObservabilityProvider {
  const value = oneOf(env, 'OBSERVABILITY_PROVIDER', ['pubsub', 'none', ...METRICS_EXPORTER_NAMES], 'none');
  return value === 'none' ? 'none' : 'pubsub';
}

function exporterList(env: Env): MetricsExporterName[] {
  const out: MetricsExporterName[] = [];
  const provider = optional(env, 'OBSERVABILITY_PROVIDER');
  if (provider && (METRICS_EXPORTER_NAMES as readonly string[]).includes(provider)) out.push(provider as MetricsExporterName);
  const listed = optional(env, 'OBS_EXPORTERS');
  if (listed === undefined) return out;
  for (const name of listed.split(',').map((n) => n.trim()).filter((n) => n !== '')) {
    if (!(METRICS_EXPORTER_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError('OBS_EXPORTERS', `OBS_EXPORTERS names ${JSON.stringify(name)}, which is not an exporter; use a comma-separated list of: ${METRICS_EXPORTER_NAMES.join(', ')}`);
    }
    if (!out.includes(name as MetricsExporterName)) out.push(name as MetricsExporterName);
  }
  return out;
}

function datadogSite(env: Env): string {
  const value = optional(env, 'DD_SITE') ?? DEFAULTS.datadogSite;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(value)) {
    throw new ConfigError('DD_SITE', `DD_SITE=${JSON.stringify(value)} must be a Datadog site host name such as datadoghq.com or datadoghq.eu`);
  }
  return value;
}

/** Reads and checks the environment. Throws {@link ConfigError} on the first bad variable. */
export function loadConfig(env: Env = process.env): ObservabilityConfig {
  const topic = optional(env, 'METRICS_TOPIC') ?? DEFAULTS.metricsTopic;
  if (!/^[A-Za-z][\w.~+%-]{2,254}$/.test(topic) || topic.startsWith('goog')) {
    throw new ConfigError('METRICS_TOPIC', `METRICS_TOPIC=${JSON.stringify(topic)} is not a valid Pub/Sub topic name (3–255 characters, starting with a letter, not "goog")`);
  }
  const dataset = optional(env, 'OBS_BQ_DATASET') ?? DEFAULTS.bigqueryDataset;
  if (!/^\w{1,1024}$/.test(dataset)) {
    throw new ConfigError('OBS_BQ_DATASET', `OBS_BQ_DATASET=${JSON.stringify(dataset)} may contain only letters, digits and underscores`);
  }
  const warehouse = oneOf<WarehouseKind>(env, 'OBS_WAREHOUSE', ['duckdb', 'bigquery'], 'duckdb');
  const retention = retentionDays(env);
  return {
    provider: providerTransport(env),
    exporters: exporterList(env),
    datadogApiKey: optional(env, 'DD_API_KEY'),
    datadogSite: datadogSite(env),
    prometheusPushgatewayUrl: url(env, 'PROMETHEUS_PUSHGATEWAY_URL', ['http', 'https'], true),
    projectId: optional(env, 'GOOGLE_CLOUD_PROJECT') ?? optional(env, 'GCLOUD_PROJECT'),
    pubsubEmulatorHost: hostPort(env, 'PUBSUB_EMULATOR_HOST'),
    firestoreEmulatorHost: hostPort(env, 'FIRESTORE_EMULATOR_HOST'),
    metricsTopic: topic,
    warehouse,
    duckdbPath: optional(env, 'OBS_DUCKDB_PATH') ?? DEFAULTS.duckdbPath,
    bigqueryDataset: dataset,
    bigqueryWriteApi: oneOf<BigQueryWriteApi>(env, 'OBS_BQ_WRITE_API', ['storage', 'insert-all'], DEFAULTS.bigqueryWriteApi),
    environment: optional(env, 'OBS_ENVIRONMENT') ?? optional(env, 'NODE_ENV') ?? 'development',
    // PORT is the local stack's HTTP port. Inside Cloud Functions / Cloud Run (K_SERVICE is set)
    // the platform owns it and nothing of ours listens on it; the Functions emulator even sets it
    // to a socket path, which must not make every function fail its configuration.
    port: optional(env, 'K_SERVICE') === undefined ? port(env, 'PORT', DEFAULTS.port) : DEFAULTS.port,
    internalHealthApiKey: optional(env, 'INTERNAL_HEALTH_API_KEY'),
    slackOncallWebhook: url(env, 'SLACK_ONCALL_WEBHOOK', ['https', 'http'], true),
    slackSafetyWebhook: url(env, 'SLACK_SAFETY_WEBHOOK', ['https', 'http'], true),
    pagerdutyIntegrationKey: optional(env, 'PAGERDUTY_INTEGRATION_KEY'),
    pagerdutyWebhookSecret: optional(env, 'PAGERDUTY_WEBHOOK_SECRET'),
    pagerdutyEventsUrl: url(env, 'PAGERDUTY_EVENTS_URL', ['https', 'http'], false) ?? DEFAULTS.pagerdutyEventsUrl,
    smtpUrl: url(env, 'SMTP_URL', ['smtp', 'smtps'], true),
    opsEmail: email(env, 'OPS_EMAIL'),
    financeEmail: email(env, 'FINANCE_EMAIL'),
    maxSeriesPerMetricPerDay: positiveInteger(env, 'OBS_MAX_SERIES_PER_METRIC_PER_DAY', DEFAULTS.maxSeriesPerMetricPerDay, 1_000_000),
    heartbeatUrl: url(env, 'OBS_HEARTBEAT_URL', ['https', 'http'], true),
    gateToken: gateToken(env),
    streamingAlerts: oneOf(env, 'OBS_STREAMING_ALERTS', ['on', 'off'], 'on') === 'on',
    retention: warehouse === 'bigquery' ? bigqueryRetention(retention) : retention,
  };
}

/** The fields of {@link ObservabilityConfig} that hold secrets: never logged, shown or stored. */
export const SECRET_FIELDS = ['internalHealthApiKey', 'slackOncallWebhook', 'slackSafetyWebhook', 'pagerdutyIntegrationKey', 'smtpUrl', 'heartbeatUrl', 'datadogApiKey', 'prometheusPushgatewayUrl', 'gateToken', 'pagerdutyWebhookSecret'] as const;

/** The values of every secret of `config` (unset ones as undefined): what redaction must remove. */
export function configSecretValues(config: ObservabilityConfig): Array<string | undefined> {
  return SECRET_FIELDS.map((field) => config[field]);
}

/** The config with every secret replaced by `set` / `unset`: safe to log or show on the dashboard. */
export function describeConfig(config: ObservabilityConfig): Record<string, string | number | undefined> {
  const { retention, ...flat } = config;
  const out: Record<string, string | number | undefined> = {
    ...flat,
    exporters: config.exporters.join(',') || 'none',
    streamingAlerts: config.streamingAlerts ? 'on' : 'off',
    retention: `events ${retention.eventsDays}d, dead letters ${retention.deadLettersDays}d, minute rollups ${retention.minuteRollupsDays}d, hour/day rollups ${retention.rollupsDays}d`,
  };
  for (const field of SECRET_FIELDS) out[field] = config[field] === undefined ? 'unset' : 'set (redacted)';
  return out;
}

/** Replaces every occurrence of each secret in `text` with `[REDACTED]`. For errors and logs. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}
