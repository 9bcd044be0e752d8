import type { Warehouse } from '../sql/warehouse';
import { loadConfig } from '../shared/config';
import { loadCardinalityLimiter } from './cardinality-seed';
import { IngestHandler, type IngestHandlerOptions } from './ingest-handler';
import type { IngestSummary } from './ingest-message';

/**
 * The Pub/Sub message as a push delivery hands it over (the fields of firebase-functions'
 * `Message`: data base64-encoded, publishTime RFC 3339). Kept structural so this module does not
 * import firebase-functions: index.ts does the wiring.
 */
export interface PushedMessage {
  readonly messageId: string;
  readonly data: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly publishTime?: string;
}

/**
 * Ingests one pushed message. Resolves when its events are stored (or dead-lettered); throws when
 * it must be redelivered — with `retry: true` on the function, Pub/Sub then retries it with
 * backoff. Push deliveries carry no delivery count, so the handler bounds retries by age
 * (IngestHandler's maxRetryAgeMs) instead. `warehouse` is the assembly's (app/production.ts),
 * opened once per instance.
 */
export function createPushIngest(
  warehouse: () => Promise<Warehouse>,
  options: Omit<IngestHandlerOptions, 'warehouse'> & {
    /** Awaited after each message, whatever its outcome: the work `onStored` started (the streaming alerts), as a function's CPU is throttled once it returns. */
    readonly settle?: () => Promise<void>;
  } = {},
): (message: PushedMessage) => Promise<IngestSummary> {
  let handler: IngestHandler | undefined;
  return async (message) => {
    if (!handler) {
      const wh = await warehouse();
      const cardinality = options.cardinality ?? (await loadCardinalityLimiter(wh, Date.now(), { maxSeriesPerMetricPerDay: loadConfig().maxSeriesPerMetricPerDay }));
      handler ??= new IngestHandler({ ...options, warehouse: wh, cardinality });
    }
    const published = message.publishTime === undefined ? NaN : Date.parse(message.publishTime);
    try {
      return await handler.handle({
        id: message.messageId,
        data: Buffer.from(message.data ?? '', 'base64'),
        ...(message.attributes ? { attributes: message.attributes } : {}),
        ...(Number.isFinite(published) ? { publishTimeMs: published } : {}),
      });
    } finally {
      await options.settle?.();
    }
  };
}
