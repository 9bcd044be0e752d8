import { seriesKey } from '../shared';

/**
 * Remembers tag sets the shared validator has already accepted for a metric, with their series key
 * and JSON text, so ingest checks each distinct (metric, tags) once rather than once per event.
 *
 * Why this is sound: in shared/event-schema.ts the tag checks (allow-list, lengths, control
 * characters, the PII guard) depend only on the metric name and the tags object — not on the id,
 * value, timestamp or clock. So an event whose (name, tags) were accepted before gets exactly the
 * same tag verdict again; ingest then only needs the validator's verdict on the other fields
 * (test/unit/ingest/message-decoder.test.ts checks the equivalence property-by-property).
 *
 * Why it pays: tags are bounded enumerations by design (the catalogue's cardinality guard), so a
 * stream carries few distinct tag sets, and the PII guard's regular expressions are most of the
 * cost of validating an event (bench/ingest.bench.ts).
 *
 * Only accepted tag sets are cached; a rejected one goes through the full validator every time,
 * which keeps its reasons (and their JSON paths) exact. The cache is bounded: past `maxEntries`
 * it starts afresh, so a flood of distinct tag sets costs at most the uncached path.
 */
export interface AcceptedTagSet {
  /** The validator's normalised tags (frozen: shared by every event with this tag set). */
  readonly tags: Readonly<Record<string, string>>;
  readonly seriesKey: string;
  /** JSON text of `tags`, as stored in metric_events.tags. */
  readonly tagsJson: string;
}

export const DEFAULT_TAG_SET_CACHE_ENTRIES = 50_000;

export class TagSetCache {
  private entries = new Map<string, AcceptedTagSet>();

  constructor(private readonly maxEntries = DEFAULT_TAG_SET_CACHE_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): AcceptedTagSet | undefined {
    return this.entries.get(key);
  }

  /** Records tags the validator accepted (already normalised by it) and returns the entry. */
  remember(key: string, tags: Record<string, string>): AcceptedTagSet {
    if (this.entries.size >= this.maxEntries) this.entries = new Map();
    const entry: AcceptedTagSet = { tags: Object.freeze(tags), seriesKey: seriesKey(tags), tagsJson: JSON.stringify(tags) };
    this.entries.set(key, entry);
    return entry;
  }
}

/**
 * The cache key of (metric name, raw tags), or undefined when the tags cannot be cached (not an
 * object of strings). Every part is length-prefixed, so two different inputs can never share a
 * key — whatever characters the strings contain.
 */
export function tagSetKey(name: unknown, tags: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  let key = `${name.length}:${name}`;
  if (tags === undefined) return key;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return undefined;
  const record = tags as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (typeof v !== 'string') return undefined;
    key += `|${k.length}:${k}=${v.length}:${v}`;
  }
  return key;
}
