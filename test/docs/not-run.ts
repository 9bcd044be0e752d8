/**
 * Documented commands the docs-as-tests harness (docs-commands.test.ts) does not run, keyed by the
 * exact command text as doc-commands.ts extracts it, each with the reason. A command in the docs
 * that is neither run nor listed here fails the harness; an entry no doc shows any more fails too.
 *
 * A usage line (a synopsis with [optional] flags and placeholders such as ISO, NAME, <id>) is not
 * run as written: `usage(runnable)` names the concrete command of the same shape that the harness
 * does run, and the harness checks that command is in the docs and runs.
 */
export type NotRun = { readonly reason: string } | { readonly usageOf: string };

const usage = (runnable: string): NotRun => ({ usageOf: runnable });
const because = (reason: string): NotRun => ({ reason });

const CLOUD = because('deploy-time: needs a Google Cloud project, credentials and the gcloud/bq/firebase CLIs (DEPLOYMENT.md)');
const BENCH = because('a benchmark: minutes of load by design, not part of npm test (bench/run.ts runs them: npm run bench); CI does not run benchmarks');
const NPM_CI = because('`npm ci` reinstalls node_modules (network, minutes); every other part of the line is run on its own here');

export const NOT_RUN: ReadonlyMap<string, NotRun> = new Map<string, NotRun>([
  // Installing and the whole suite.
  ['npm ci && npm start', NPM_CI],
  ['npm ci && npm run build', NPM_CI],
  ['npm ci && npm run build && npm test', NPM_CI],
  ['npm test', because('this harness runs inside `npm test`; running it again here would recurse')],
  ['npm run lint', because('type-aware ESLint over the whole repository (a minute or more on a busy machine); .ci/run runs it as its own step')],
  ['npm run typecheck', because('tsc over sources, tests and benchmarks (a minute on a busy machine); `npm run build` (run here) type-checks the sources')],
  // The demo: the backfill alone takes 20–60 s; test/integration/cli/obs-start.test.ts runs the demo to RED and back to GREEN.
  ['npm start', because('the demo stack (30-day backfill, then minutes of replay); test/integration/cli/obs-start.test.ts runs the demo; `npm start -- --no-demo` is run here')],
  ['npm run build && npx obs start', because('the demo stack (30-day backfill, then minutes of replay); test/integration/cli/obs-start.test.ts runs the demo; `npx obs start --no-demo` is run here')],

  // Benchmarks.
  ['npm run bench', BENCH],
  ['npm run bench -- emitter', BENCH],
  ['npm run bench -- aggregator', BENCH],
  ['npm run bench -- ingest', BENCH],
  ['npm run bench -- ingest-hardening', BENCH],
  ['npm run bench -- alerts', BENCH],
  ['npm run bench -- anomaly', BENCH],
  ['npm run bench -- soak', BENCH],
  ['npm run bench -- status-page', BENCH],
  ['npm run bench -- self-metrics', BENCH],
  ['npm run bench -- exporter', BENCH],
  ['npm run bench -- rollup-change-log', BENCH],
  ['npm run bench -- streaming-alerts', BENCH],
  ['npm run bench -- cost', BENCH],
  ['npm run bench -- ingest-file', BENCH],
  ['npm run bench -- ingest-bulk-probe', BENCH],

  // Usage lines: their runnable form is run.
  ['npx obs emit <metric> [value] --tag k=v', usage('npx obs emit product.wallet.spend.success --tag feature=chat')],
  ['npx obs emit <metric> [value] [--tag k=v ...] [--at ISO] [--json]', usage('npx obs emit product.wallet.spend.success --tag feature=chat')],
  ['npx obs aggregate [--at ISO] [--json]', usage('npx obs aggregate')],
  ['npx obs slo status [--at ISO] [--json]', usage('npx obs slo status')],
  ['npx obs slo report --month 2026-11 --format md|csv|json', usage('npx obs slo report --month 2026-11 --format md')],
  ['npx obs rebuild --from ISO --to ISO', usage('npx obs rebuild --from 2026-11-01 --to 2026-11-02')],
  ['npx obs alerts evaluate [--at ISO] [--json]', usage('npx obs alerts evaluate')],
  ['npx obs alerts evaluate [--at ISO] [--json] [--outbox PATH]', usage('npx obs alerts evaluate')],
  ['npx obs alerts list [--all] [--json]', usage('npx obs alerts list')],
  ['npx obs alerts silence --matcher module=wallet --duration 2h --comment …', usage('npx obs alerts silence --matcher module=wallet --duration 2h --comment "deploy"')],
  ['npx obs alerts silence expire <id> [--json]', because('a placeholder: the id `npx obs alerts silence list` prints (test/integration/alerts/cli.test.ts expires one)')],
  ['npx obs maintenance remove <id>', because('a placeholder: the id `npx obs maintenance add` or `list` prints (test/integration/maintenance/cli.test.ts removes one)')],
  ['npx obs alerts silence … | silence list | silence expire ID', usage('npx obs alerts silence list')],
  ['npx obs ingest --file events.ndjson [--service NAME] [--environment NAME] [--at ISO] [--json]', usage('npx obs ingest --file events.ndjson')],
  ['npx obs doctor [--json] [--ping] [--at ISO]', usage('npx obs doctor')],
  ['npx obs …', usage('npx obs --help')],
  ['npx obs <command> --help', usage('npx obs alerts silence --help')],

  // Placeholders a reader fills in (a monitor's URL, a release tag).
  ['OBS_HEARTBEAT_URL=… npx obs doctor --ping', because('a placeholder: the heartbeat monitor\'s ping URL (test/integration/cli/doctor.test.ts pings a local monitor)')],
  ['OBS_ENVIRONMENT=production OBS_HEARTBEAT_URL=… npx obs doctor --ping', because('a placeholder: the production heartbeat monitor\'s ping URL')],
  ['OBS_WAREHOUSE=bigquery obs rebuild --from <release time> --to <now>', because('placeholders, and BigQuery: a rollback step against production (DEPLOYMENT.md)')],
  ['git checkout <last good tag> && npm ci && npm run build', because('a placeholder (the last good release tag): a rollback step')],

  // Deploying to Google Cloud.
  ['export PROJECT=avalo-prod REGION=europe-west1', CLOUD],
  ['gcloud config set project $PROJECT', CLOUD],
  [
    'gcloud services enable cloudfunctions.googleapis.com run.googleapis.com eventarc.googleapis.com pubsub.googleapis.com bigquery.googleapis.com firestore.googleapis.com cloudscheduler.googleapis.com secretmanager.googleapis.com cloudbuild.googleapis.com artifactregistry.googleapis.com',
    CLOUD,
  ],
  ['gcloud pubsub topics create metrics-events', CLOUD],
  ['gcloud firestore fields ttls update expireAt --collection-group=stream_batches --enable-ttl', CLOUD],
  ['gcloud firestore fields ttls update expireAt --collection-group=stream_tallies --enable-ttl', CLOUD],
  ['gcloud pubsub topics create metrics-events-dead-letter', CLOUD],
  ['SUB=$(gcloud pubsub subscriptions list --filter="topic:metrics-events" --format="value(name)" | head -1)', CLOUD],
  ['gcloud pubsub subscriptions update "$SUB" --dead-letter-topic=metrics-events-dead-letter --max-delivery-attempts=10 --min-retry-delay=10s --max-retry-delay=600s', CLOUD],
  ['bq --location=EU mk --dataset --default_partition_expiration=7776000 $PROJECT:observability', CLOUD],
  ['bq update --time_partitioning_expiration 1209600 $PROJECT:observability.dead_letters', CLOUD],
  // DEPLOYMENT.md, "Hourly partitions of metric_events": pausing and resuming ingest around the swap.
  ['ENDPOINT=$(gcloud pubsub subscriptions describe "$SUB" --format="value(pushConfig.pushEndpoint)")', CLOUD],
  ['SA=$(gcloud pubsub subscriptions describe "$SUB" --format="value(pushConfig.oidcToken.serviceAccountEmail)")', CLOUD],
  ['gcloud pubsub subscriptions modify-push-config "$SUB" --push-endpoint=""', CLOUD],
  ['gcloud scheduler jobs pause firebase-schedule-pack421_aggregate_rollups-us-central1 --location=us-central1', CLOUD],
  ['gcloud pubsub subscriptions modify-push-config "$SUB" --push-endpoint="$ENDPOINT" --push-auth-service-account="$SA"', CLOUD],
  ['gcloud scheduler jobs resume firebase-schedule-pack421_aggregate_rollups-us-central1 --location=us-central1', CLOUD],
  ['for s in INTERNAL_HEALTH_API_KEY SLACK_ONCALL_WEBHOOK SLACK_SAFETY_WEBHOOK PAGERDUTY_INTEGRATION_KEY SMTP_URL; do firebase functions:secrets:set $s; done', CLOUD],
  ['firebase functions:secrets:set OBS_HEARTBEAT_URL', CLOUD],
  ['firebase functions:secrets:set PAGERDUTY_WEBHOOK_SECRET', CLOUD],
  ['firebase functions:secrets:set DD_API_KEY', CLOUD],
  ['firebase functions:secrets:set PROMETHEUS_PUSHGATEWAY_URL', CLOUD],
  ['firebase deploy --only functions:observability,hosting', CLOUD],
  [
    'bq query --use_legacy_sql=false --parameter=from_ms:INT64:1795651200000 --parameter=to_ms:INT64:1795737600000 "$(tail -n +2 sql/golden/queries/analysts_p95_latency_by_endpoint.sql)"',
    because('BigQuery: needs a Google Cloud project with the observability dataset; the same golden query runs on DuckDB in test/unit/sql'),
  ],
]);
