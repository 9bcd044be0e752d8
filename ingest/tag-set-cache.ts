import { seriesKey } from '../shared';

/**
 * Remembers tag sets the shared validator has already accepted for a metric, with their series key
 * and JSON text, so ingest checks each distinct (metric, tags) once rather than once per event.
 *
 * Why this is sound: in shared/event-schema.ts the tag checks (allow-list, lengths, refused
 * characters such as control, bidi, zero-width and lone surrogates, the PII guard) depend only on
 * the metric name and the tags object — not on the id, value, timestamp or clock. So an event whose (name, tags) were accepted before gets exactly the
 * same tag verdict again; ingest then only needs the validator's verdict on the other fields
 * (test/unit/ingest/message-decoder.test.ts checks the equivalence property-by-property).
 *
 * Why it pays: tags are bounded enumerations by design (the catalogue's cardinality guard), so a
 * stream carries few distinct tag sets, and the PII guard's regular expressions are most of the
 * cost of validating an event (bench/ingest.bench.ts).
 *
 * Shape: a trie — metric name, then each tag key and value in the order they arrived — so a
 * lookup builds no key string (no garbage per event) and two different tag sets can never meet,
 * whatever characters they contain. Only accepted tag sets are stored; a rejected one goes through
 * the full validator every time, which keeps its reasons (and their JSON paths) exact. Bounded:
 * past `maxEntries` tag sets it starts afresh, so a flood of distinct tag sets costs at most the
 * uncached path.
 */
export interface AcceptedTagSet {
  /** The validator's normalised tags (frozen: shared by every event with this tag set). */
  readonly tags: Readonly<Record<string, string>>;
  readonly seriesKey: string;
  /** JSON text of `tags`, as stored in metric_events.tags. */
  readonly tagsJson: string;
}

export const DEFAULT_TAG_SET_CACHE_ENTRIES = 50_000;

interface TrieNode {
  /** tag key → tag value → the node after that tag. */
  readonly next: Map<string, Map<string, TrieNode>>;
  entry?: AcceptedTagSet;
}

const node = (): TrieNode => ({ next: new Map() });

/** A plain object whose values are all strings (what a cacheable tag set must be), or undefined tags. */
function cacheable(tags: unknown): tags is Record<string, string> | undefined {
  if (tags === undefined) return true;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return false;
  for (const key of Object.keys(tags)) if (typeof (tags as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

export class TagSetCache {
  private roots = new Map<string, TrieNode>();
  private entries = 0;

  constructor(private readonly maxEntries = DEFAULT_TAG_SET_CACHE_ENTRIES) {}

  get size(): number {
    return this.entries;
  }

  /** The accepted entry for (name, raw tags), if this exact tag set was accepted for this metric. */
  get(name: unknown, tags: unknown): AcceptedTagSet | undefined {
    if (typeof name !== 'string' || !cacheable(tags)) return undefined;
    let at = this.roots.get(name);
    if (tags !== undefined) {
      for (const key of Object.keys(tags)) {
        if (at === undefined) return undefined;
        at = at.next.get(key)?.get(tags[key] as string);
      }
    }
    return at?.entry;
  }

  /**
   * Records that the validator accepted `rawTags` for metric `name`, normalised to `tags` (for an
   * accepted set, the same keys and values in the same order). Returns the entry, or undefined when
   * the raw tags are not cacheable.
   */
  remember(name: string, rawTags: unknown, tags: Record<string, string>): AcceptedTagSet | undefined {
    if (!cacheable(rawTags)) return undefined;
    if (this.entries >= this.maxEntries) {
      this.roots = new Map();
      this.entries = 0;
    }
    let at: TrieNode = this.roots.get(name) ?? node();
    this.roots.set(name, at);
    for (const key of Object.keys(rawTags ?? {})) {
      const values: Map<string, TrieNode> = at.next.get(key) ?? new Map<string, TrieNode>();
      at.next.set(key, values);
      const value = (rawTags as Record<string, string>)[key] as string;
      const next: TrieNode = values.get(value) ?? node();
      values.set(value, next);
      at = next;
    }
    if (at.entry === undefined) this.entries++;
    at.entry ??= { tags: Object.freeze(tags), seriesKey: seriesKey(tags), tagsJson: JSON.stringify(tags) };
    return at.entry;
  }
}
