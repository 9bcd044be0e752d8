/**
 * The warehouse tables, defined once and rendered as DDL for BigQuery and DuckDB (sql/ddl.ts).
 * The five public tables (ARCHITECTURE.md) are what analysts query; the rest is the pipeline's
 * own bookkeeping. Every time-series table is partitioned on its time column in BigQuery (by day;
 * metric_events by hour), and every BigQuery query must filter on that column.
 */
export type ColumnType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'TIMESTAMP' | 'JSON';
export type PartitionGranularity = 'DAY' | 'HOUR';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly required?: boolean;
  readonly description: string;
}

export interface TableDef {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnDef[];
  /** Columns that identify a row: the dedup key for events, the MERGE key for projections. */
  readonly key: readonly string[];
  /** TIMESTAMP column for BigQuery time partitioning (queries must filter on it). */
  readonly partitionBy?: string;
  /**
   * The BigQuery partition of `partitionBy`: DAY (`PARTITION BY DATE(col)`, the default) or HOUR
   * (`PARTITION BY TIMESTAMP_TRUNC(col, HOUR)`). metric_events is hourly (issue #13): the minute
   * recompute reads the partitions of the minutes it recomputes, so an hour so far instead of a day
   * (docs/COST.md, "Scans"). At most 10,000 partitions a table (BIGQUERY_MAX_PARTITIONS, sql/ddl.ts)
   * bounds the retention of an hourly table to 416 days.
   */
  readonly partitionGranularity?: PartitionGranularity;
  readonly clusterBy?: readonly string[];
  /** Public tables are part of the contract analysts rely on. */
  readonly public: boolean;
  /**
   * DuckDB only: `false` creates the table without a PRIMARY KEY on `key` (BigQuery has no keys
   * either way). `key` is still the row's identity — the MERGE key of the writers and of
   * `Warehouse.upsert` — but DuckDB no longer enforces it; uniqueness is guaranteed by the writers.
   * Only for tables whose every writer recomputes whole windows and writes them with a MERGE on
   * `key` (or deletes a range and INSERTs it from a GROUP BY on `key`), where maintaining DuckDB's
   * ART index costs far more than the writes themselves. Omitted: the key is enforced.
   */
  readonly duckdbIndexKey?: false;
}

const col = (name: string, type: ColumnType, description: string, required = false): ColumnDef => ({ name, type, description, required });

export const TABLES = {
  metric_events: {
    name: 'metric_events',
    public: true,
    description: 'The raw event log, source of truth: one row per accepted event, unique by event_id.',
    key: ['event_id'],
    partitionBy: 'event_ts',
    partitionGranularity: 'HOUR',
    clusterBy: ['name', 'series_key'],
    columns: [
      col('event_id', 'STRING', 'Producer-assigned unique id; the dedup key.', true),
      col('name', 'STRING', 'Metric name from the catalogue.', true),
      col('kind', 'STRING', 'count, timing (ms) or gauge.', true),
      col('value', 'FLOAT64', 'The measurement (milliseconds for timings). Merged events: the total counted (count), the sum of the durations (timing), the last value (gauge).', true),
      col('event_ts', 'TIMESTAMP', 'When it happened (producer clock, UTC); merged events: the latest call. Partition column.', true),
      col('ingest_ts', 'TIMESTAMP', 'When ingest stored it; drives incremental aggregation.', true),
      col('series_key', 'STRING', 'Canonical tag set: keys sorted, k=v joined by commas.', true),
      col('tags', 'JSON', 'Tags as a JSON object, for analysts.', true),
      col('service', 'STRING', 'source.service of the message.', true),
      col('environment', 'STRING', 'source.environment of the message.', true),
      col('message_id', 'STRING', 'Pub/Sub message id (or file/line for imports).'),
      // Merged events (issue #18, docs/WIRE_FORMAT.md): one row standing for call_count calls.
      // Added after the first release: sql/migrations.ts adds them to older tables.
      col('call_count', 'INT64', 'Calls this event stands for (a merged event); NULL = 1. Count calls with SUM(COALESCE(call_count, 1)).'),
      col('value_min', 'FLOAT64', 'Merged events: the smallest value of the calls (counts: of the increments); NULL for a single call (= value).'),
      col('value_max', 'FLOAT64', 'Merged events: the largest value of the calls; NULL for a single call (= value).'),
      col('last_value', 'FLOAT64', 'Merged counts and timings: the latest call\'s value; NULL when not sent (then value, for a single call).'),
      col('start_ts', 'TIMESTAMP', 'Merged events: time of the first call (event_ts is the latest); same UTC minute as event_ts.'),
      col('histogram', 'JSON', 'Merged timings: [[bucket, count], …] as sent (buckets as in metric_histograms); NULL for a single call.'),
      col('value_sum', 'FLOAT64', 'Merged gauges: the sum of the values (value is the last one); NULL otherwise (then value is the sum).'),
    ],
  },
  metric_rollups: {
    name: 'metric_rollups',
    public: true,
    description: 'Per-window aggregates of metric_events by (name, series_key); 60 s, 3600 s and 86400 s windows. Rebuildable from metric_events.',
    key: ['name', 'series_key', 'window_seconds', 'window_start'],
    // Unique by key without a DuckDB index. The only writers: the rollup MERGEs (incremental
    // minutes, hour and day levels: sql/queries/rollup-incremental.ts, rollup-levels.ts), whose
    // source is a GROUP BY of the key and lies inside the target range the MERGE matches on (a
    // source row outside it would be inserted beside a stored one); the rebuild
    // (rollup-rebuild.ts), which deletes whole days and INSERTs them from the same GROUP BYs; and
    // Warehouse.upsert (tests and seeding), which MERGEs on the key. Maintaining the ART index was
    // most of a full rebuild (issue #5: inserting 1.6M rows took 3.4 s with it, 0.16 s without;
    // deleting them ~10 s against 15 ms).
    duckdbIndexKey: false,
    partitionBy: 'window_start',
    clusterBy: ['name', 'series_key'],
    columns: [
      col('name', 'STRING', 'Metric name.', true),
      col('series_key', 'STRING', 'Canonical tag set.', true),
      col('tags', 'JSON', 'Tags as a JSON object.', true),
      col('kind', 'STRING', 'count, timing or gauge.', true),
      col('window_start', 'TIMESTAMP', 'Epoch-aligned window start (UTC). Partition column.', true),
      col('window_seconds', 'INT64', 'Window length: 60, 3600 or 86400.', true),
      col('event_count', 'INT64', 'Number of calls in the window (a merged event counts its call_count).', true),
      col('value_sum', 'FLOAT64', 'Sum of values (for counts: the total counted).', true),
      col('value_min', 'FLOAT64', 'Smallest value.'),
      col('value_max', 'FLOAT64', 'Largest value.'),
      col('last_value', 'FLOAT64', 'Value of the latest call in the window (gauges: the level; counts and timings: the last increment or duration).'),
      col('last_ts', 'TIMESTAMP', 'Time of the latest event in the window.'),
      col('updated_at', 'TIMESTAMP', 'When this row was last recomputed.', true),
    ],
  },
  metric_histograms: {
    name: 'metric_histograms',
    public: true,
    description: 'Log-bucketed latency histograms of timing metrics per window (DDSketch-style, 1% relative accuracy); merge by summing bucket_count per bucket.',
    key: ['name', 'series_key', 'window_seconds', 'window_start', 'bucket'],
    // Unique by key without a DuckDB index, for the reasons given at metric_rollups.
    duckdbIndexKey: false,
    partitionBy: 'window_start',
    clusterBy: ['name', 'series_key'],
    columns: [
      col('name', 'STRING', 'Timing metric name.', true),
      col('series_key', 'STRING', 'Canonical tag set.', true),
      col('window_start', 'TIMESTAMP', 'Window start. Partition column.', true),
      col('window_seconds', 'INT64', 'Window length.', true),
      col('bucket', 'INT64', 'CEIL(LN(v)/LN(gamma)) for v > 0; the zero bucket for v = 0 (see shared/histogram.ts).', true),
      col('bucket_count', 'INT64', 'Observations in this bucket.', true),
    ],
  },
  slo_status: {
    name: 'slo_status',
    public: true,
    description: 'SLO attainment, error budget and burn rates, one row per SLO per computation (history for burn-down charts).',
    key: ['slo_id', 'computed_at'],
    partitionBy: 'computed_at',
    clusterBy: ['slo_id'],
    columns: [
      col('slo_id', 'STRING', 'SLO id from the catalogue.', true),
      col('computed_at', 'TIMESTAMP', 'The "now" of the computation. Partition column.', true),
      col('objective', 'FLOAT64', 'Target fraction of good events.', true),
      col('window_days', 'INT64', 'Rolling window length in days.', true),
      col('good_events', 'FLOAT64', 'Good events in the window.', true),
      col('total_events', 'FLOAT64', 'All events in the window.', true),
      col('attainment', 'FLOAT64', 'good / total; NULL when there is no data.'),
      col('budget_allowed', 'FLOAT64', 'Bad events allowed: (1 − objective) × total.'),
      col('budget_consumed', 'FLOAT64', 'Bad events so far: total − good.'),
      col('budget_remaining', 'FLOAT64', 'Fraction of the budget left (1 − consumed/allowed); negative when overspent; NULL without data.'),
      col('budget_minutes_remaining', 'FLOAT64', 'Availability SLOs: remaining budget as minutes of full outage.'),
      col('burn_rates', 'JSON', 'Burn rate per lookback window {"5m":…,"3d":…}; null entries mean no data.'),
      col('exhaustion_hours', 'FLOAT64', 'Hours until the budget is gone at the 1h burn rate; NULL when not burning.'),
      col('status', 'STRING', 'ok, at_risk, exhausted or no_data.', true),
    ],
  },
  alert_log: {
    name: 'alert_log',
    public: true,
    description: 'Every alert transition and every notification attempt, append-only.',
    key: ['log_id'],
    partitionBy: 'logged_at',
    clusterBy: ['rule_id'],
    columns: [
      col('log_id', 'STRING', 'Unique id of the entry.', true),
      col('logged_at', 'TIMESTAMP', 'When it happened. Partition column.', true),
      col('entry_type', 'STRING', 'transition, delivery, or gate_emergency (an emergency deploy the release gate allowed: docs/SLOS.md, Release gate).', true),
      col('fingerprint', 'STRING', 'Alert instance: rule + grouping tags.', true),
      col('rule_id', 'STRING', 'Rule id.', true),
      col('severity', 'STRING', 'P0–P3.', true),
      col('from_state', 'STRING', 'Transitions: previous state.'),
      col('to_state', 'STRING', 'Transitions: new state.'),
      col('channel', 'STRING', 'Deliveries: channel id.'),
      col('delivery_status', 'STRING', 'Deliveries: pending, delivered, retryable, failed.'),
      col('detail', 'JSON', 'Value, threshold, reason, notifier response (secrets redacted). Transitions to firing or resolved: firedBy, the evaluator that fired the episode (scheduled or streaming).'),
    ],
  },
  dead_letters: {
    name: 'dead_letters',
    public: true,
    description: 'Messages and events ingest could not store, with every reason and the raw payload.',
    key: ['dead_letter_id'],
    partitionBy: 'received_at',
    clusterBy: ['scope'],
    columns: [
      col('dead_letter_id', 'STRING', 'Unique id (message id + event index).', true),
      col('received_at', 'TIMESTAMP', 'When ingest received it. Partition column.', true),
      col('scope', 'STRING', 'message (the whole message was unusable) or event.', true),
      col('message_id', 'STRING', 'Pub/Sub message id or file:line.'),
      col('event_index', 'INT64', 'Index of the event within its message (scope = event).'),
      col('event_id', 'STRING', 'The event id, when it had a usable one.'),
      col('reason_codes', 'STRING', 'Comma-separated rejection codes (docs/WIRE_FORMAT.md).', true),
      col('reasons', 'JSON', 'Every reason: [{code, field, message}].', true),
      col('raw_payload', 'STRING', 'The raw message or event JSON (truncated to 100 kB).', true),
      col('service', 'STRING', 'source.service when known.'),
    ],
  },
  ingest_batches: {
    name: 'ingest_batches',
    public: false,
    description:
      'The change log of metric_events: one row per warehouse write of ingest and per run of consecutive event minutes it stored new events in. The incremental rollup reads it (ingest_ts after its watermark) to find the windows to recompute, instead of scanning metric_events.',
    // Append-only; not unique (a retried write logs again), and nothing reads it by key.
    key: ['ingest_ts', 'message_id', 'min_event_ts'],
    duckdbIndexKey: false,
    partitionBy: 'ingest_ts',
    // The job reads the last minute or so of a day's partition: clustering on ingest_ts lets
    // BigQuery skip the rest of the day's blocks once the partition is large.
    clusterBy: ['ingest_ts'],
    columns: [
      col('ingest_ts', 'TIMESTAMP', 'ingest_ts of the events the write stored (the same value on those rows of metric_events). Partition column.', true),
      col('message_id', 'STRING', 'The first message of the write (Pub/Sub message id, or file:line for imports).'),
      col('messages', 'INT64', 'Messages whose new events this row covers.', true),
      col('min_event_ts', 'TIMESTAMP', 'Earliest event time among the new events of this row.', true),
      col('max_event_ts', 'TIMESTAMP', 'Latest event time among them; every minute from the first to the last received a new event, unless the write was scattered over more runs of minutes than a write logs.', true),
      col('events', 'INT64', 'Events the write stored in these minutes. DuckDB counts new event ids only (a write of duplicates logs no row); BigQuery every row streamed.', true),
    ],
  },
  job_state: {
    name: 'job_state',
    public: false,
    description: 'Watermarks and last-run facts of the scheduled jobs.',
    key: ['job'],
    columns: [
      col('job', 'STRING', 'Job name.', true),
      col('watermark', 'TIMESTAMP', 'Highest ingest_ts fully processed.'),
      col('last_run_at', 'TIMESTAMP', 'When the job last finished.'),
      col('last_result', 'JSON', 'Summary of the last run.'),
    ],
  },
  alert_state: {
    name: 'alert_state',
    public: false,
    description: 'Current state of every alert instance (local store; Firestore in production). Written by compare-and-set on version.',
    key: ['fingerprint'],
    clusterBy: ['rule_id'],
    columns: [
      col('fingerprint', 'STRING', 'Alert instance: rule id plus grouping tags.', true),
      col('rule_id', 'STRING', 'Rule id.', true),
      col('severity', 'STRING', 'P0–P3.', true),
      col('state', 'STRING', 'inactive, pending, firing or resolved.', true),
      col('labels', 'JSON', 'Labels routes, silences and inhibition match on.', true),
      col('annotations', 'JSON', 'Name, summary, runbook, comparator and unit, for messages.', true),
      col('value', 'FLOAT64', 'Last evaluated value; NULL without data.'),
      col('threshold', 'FLOAT64', 'Threshold (burn-rate factor for SLO burn alerts).', true),
      col('active_at', 'TIMESTAMP', 'Start of the current pending/firing episode.'),
      col('fired_at', 'TIMESTAMP', 'When the current episode started firing.'),
      col('resolved_at', 'TIMESTAMP', 'When the last episode resolved.'),
      col('keep_firing_since', 'TIMESTAMP', 'First evaluation at which a firing condition stopped holding.'),
      col('last_evaluated_at', 'TIMESTAMP', 'Time of the evaluation that wrote this version.', true),
      col('detail', 'JSON', 'The numbers behind the last decision (burn rates, event counts).'),
      col('version', 'INT64', 'Incremented on every write; writers compare-and-set on it.', true),
      col('updated_by', 'STRING', 'Evaluator run id that wrote this version.', true),
    ],
  },
  alert_notifications: {
    name: 'alert_notifications',
    public: false,
    description: 'Notification ledger (outbox): one row per alert, channel, episode and kind; recorded pending before sending, marked delivered after.',
    key: ['notification_id'],
    clusterBy: ['channel', 'status'],
    columns: [
      col('notification_id', 'STRING', 'Deterministic id: hash of channel, fingerprint, episode, kind and sequence.', true),
      col('channel', 'STRING', 'Channel id (shared/channels.ts).', true),
      col('fingerprint', 'STRING', 'Alert instance.', true),
      col('rule_id', 'STRING', 'Rule id.', true),
      col('severity', 'STRING', 'P0–P3.', true),
      col('kind', 'STRING', 'firing, reminder or resolved.', true),
      col('episode_start', 'TIMESTAMP', 'fired_at of the firing episode.', true),
      col('sequence', 'INT64', '0 for firing and resolved; 1, 2, … for reminders.', true),
      col('alert', 'JSON', 'Snapshot of the alert the message is rendered from.', true),
      col('created_at', 'TIMESTAMP', 'When the notification was recorded.', true),
      col('status', 'STRING', 'pending, delivered or failed.', true),
      col('attempts', 'INT64', 'Delivery attempts so far (runs, not HTTP retries).', true),
      col('next_attempt_at', 'TIMESTAMP', 'Not retried before this time.', true),
      col('claim_token', 'STRING', 'Run and channel currently delivering it.'),
      col('claimed_at', 'TIMESTAMP', 'When the claim was taken.'),
      col('delivered_at', 'TIMESTAMP', 'When the channel accepted it.'),
      col('last_error', 'STRING', 'Last failure (secrets redacted).'),
    ],
  },
  alert_state_writes: {
    name: 'alert_state_writes',
    public: false,
    description: 'Staging for batched compare-and-set of alert_state: one evaluator run\'s intended writes, merged in one statement and then cleared.',
    key: ['run_id', 'fingerprint'],
    columns: [
      col('run_id', 'STRING', 'Evaluator run that stages the write.', true),
      col('expected_version', 'INT64', 'Version the run read; 0 when the instance is new.', true),
      col('fingerprint', 'STRING', 'Alert instance.', true),
      col('rule_id', 'STRING', 'Rule id.', true),
      col('severity', 'STRING', 'P0–P3.', true),
      col('state', 'STRING', 'New state.', true),
      col('labels', 'JSON', 'Labels.', true),
      col('annotations', 'JSON', 'Annotations.', true),
      col('value', 'FLOAT64', 'Value.'),
      col('threshold', 'FLOAT64', 'Threshold.', true),
      col('active_at', 'TIMESTAMP', 'Episode start.'),
      col('fired_at', 'TIMESTAMP', 'Firing start.'),
      col('resolved_at', 'TIMESTAMP', 'Resolution.'),
      col('keep_firing_since', 'TIMESTAMP', 'keep_firing_for clock.'),
      col('last_evaluated_at', 'TIMESTAMP', 'Evaluation time.', true),
      col('detail', 'JSON', 'Detail.'),
    ],
  },
  alert_notification_writes: {
    name: 'alert_notification_writes',
    public: false,
    description: 'Staging for batched, idempotent recording of notifications: one run\'s rows, merged (insert if absent) in one statement and then cleared.',
    key: ['run_id', 'notification_id'],
    columns: [
      col('run_id', 'STRING', 'Evaluator run that stages the rows.', true),
      col('notification_id', 'STRING', 'Deterministic notification id.', true),
      col('channel', 'STRING', 'Channel id.', true),
      col('fingerprint', 'STRING', 'Alert instance.', true),
      col('rule_id', 'STRING', 'Rule id.', true),
      col('severity', 'STRING', 'P0–P3.', true),
      col('kind', 'STRING', 'firing, reminder or resolved.', true),
      col('episode_start', 'TIMESTAMP', 'fired_at of the episode.', true),
      col('sequence', 'INT64', 'Reminder number.', true),
      col('alert', 'JSON', 'Alert snapshot.', true),
      col('created_at', 'TIMESTAMP', 'When recorded.', true),
    ],
  },
  alert_silences: {
    name: 'alert_silences',
    public: false,
    description: 'Alert silences: label matchers muting alerts between starts_at and ends_at.',
    key: ['silence_id'],
    columns: [
      col('silence_id', 'STRING', 'Silence id.', true),
      col('matchers', 'JSON', 'Label matchers [{name, op, value}].', true),
      col('starts_at', 'TIMESTAMP', 'Start of the silence.', true),
      col('ends_at', 'TIMESTAMP', 'End of the silence (set to now when expired).', true),
      col('created_at', 'TIMESTAMP', 'When it was created.', true),
      col('created_by', 'STRING', 'Who created it.', true),
      col('comment', 'STRING', 'Why.', true),
    ],
  },
  maintenance_windows: {
    name: 'maintenance_windows',
    public: false,
    description: 'Maintenance windows (issue #16): per module, one-off or recurring; they mute the module\'s alerts and may be left out of its SLO budgets.',
    key: ['window_id'],
    columns: [
      col('window_id', 'STRING', 'Window id (mw-…).', true),
      col('module', 'STRING', 'Module id (shared/modules.ts).', true),
      col('title', 'STRING', 'What the maintenance is; shown on the public status page.', true),
      col('exclude_from_budget', 'BOOL', 'Its minutes are left out of the module\'s SLO attainment and budgets.', true),
      col('starts_at', 'TIMESTAMP', 'One-off: the start. Recurring: the first instant an occurrence may start.', true),
      col('ends_at', 'TIMESTAMP', 'One-off: the end (exclusive). Recurring: no occurrence starts at or after it; NULL = no end.'),
      col('recurrence', 'JSON', 'NULL for a one-off window; else {every, on, time, durationMinutes, timeZone} (maintenance/recurrence.ts).'),
      col('created_at', 'TIMESTAMP', 'When it was added.', true),
      col('created_by', 'STRING', 'Who added it.', true),
    ],
  },
  incident_timeline: {
    name: 'incident_timeline',
    public: false,
    description: 'Incidents (issue #16): the append-only timeline of each one; the incident is the fold of its entries (incidents/incident.ts).',
    key: ['entry_id'],
    columns: [
      col('entry_id', 'STRING', 'Deterministic id of the entry: the same event recorded twice is stored once.', true),
      col('incident_id', 'STRING', 'The incident (inc-…).', true),
      col('occurred_at', 'TIMESTAMP', 'When it happened.', true),
      col('entry_type', 'STRING', 'opened, alert_fired, alert_resolved, notified, acknowledged, update or resolved.', true),
      col('detail', 'JSON', 'What happened: the alert, channel and outcome, who acknowledged and how, the text of an update.', true),
    ],
  },
} as const satisfies Record<string, TableDef>;

export type TableName = keyof typeof TABLES;
export const PUBLIC_TABLES = (Object.keys(TABLES) as TableName[]).filter((t) => TABLES[t].public);
