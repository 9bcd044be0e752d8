/** Ingest: Pub/Sub (or a file) → validation → the warehouse, exactly once, with dead letters. docs/INGEST.md. */
export { IngestHandler, DEFAULT_MAX_DELIVERY_ATTEMPTS, DEFAULT_MAX_RETRY_AGE_MS, type BatchOutcome, type IngestBatchReport, type IngestHandlerOptions } from './ingest-handler';
export { IngestRetryableError, type IngestMessage, type IngestSummary } from './ingest-message';
export { MessageDecoder, type AcceptedEvent, type DecodedBatch } from './message-decoder';
export { MAX_RAW_PAYLOAD_BYTES, type IngestReason, type IngestReasonCode } from './dead-letters';
export { createPushIngest, type PushedMessage } from './function-handler';
export { startIngestSubscriber, ensureSubscription, type IngestSubscriberOptions, type RunningIngestSubscriber } from './pubsub-subscriber';
export { importNdjson, type ImportOptions, type ImportResult } from './ndjson-import';
export { openIngestWarehouse, sharedWarehouse } from './warehouse-factory';
export { consoleIngestLog, silentIngestLog, type IngestLog } from './ingest-log';
