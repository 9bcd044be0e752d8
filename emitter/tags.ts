import { WIRE_LIMITS } from '../shared';

/**
 * Tags in two steps. On the caller's path `snapshotTags` only copies what it was given (so a
 * caller may reuse and mutate its tags object), in the cheapest form: a shallow object copy, or a
 * flat `[key, value, key, value]` array for the seed's `[{ key, value }]` form. Everything else —
 * coercion, merging with a tagged emitter's tags, counting, validation — happens at flush time in
 * `normaliseTags`, off the caller's path.
 */

/** Stored instead of tags that could not even be copied (a throwing getter, a revoked proxy). */
export const UNREADABLE_TAGS: unique symbol = Symbol('unreadable tags');

/**
 * An array of more entries than this is rejected at copy time without reading them (and a map at
 * flush time): the wire format allows 16 tags per event, so a huge map can only be a mistake, and
 * copying it would cost the caller. Some entries may be `undefined` (omitted), hence the margin.
 */
const MAX_ARRAY_TAGS_COPIED = WIRE_LIMITS.maxTagsPerEvent * 4;

/** Copies tags on the caller's path. Never throws. */
export function snapshotTags(tags: unknown): unknown {
  if (typeof tags !== 'object' || tags === null) return tags;
  try {
    if (Array.isArray(tags)) {
      const n = tags.length;
      if (n > MAX_ARRAY_TAGS_COPIED) return UNREADABLE_TAGS;
      const pairs = new Array<unknown>(n * 2);
      for (let i = 0; i < n; i++) {
        const tag: unknown = tags[i];
        if (typeof tag !== 'object' || tag === null) return UNREADABLE_TAGS;
        pairs[2 * i] = (tag as { key?: unknown }).key;
        pairs[2 * i + 1] = (tag as { value?: unknown }).value;
      }
      return pairs;
    }
    return { ...tags };
  } catch {
    return UNREADABLE_TAGS;
  }
}

/** Tags after normalisation: a prototype-less object of string values, in first-seen key order. */
export type TagMap = Record<string, string>;

/**
 * `key` is set on a tagged emitter's tags (see `tagSetKey`), and `seriesKey` — what `tagSetKey`
 * returns for them with no call tags — so the aggregating hot path looks a series up by a string
 * made once, when the tagged emitter was created.
 */
export type NormalisedTags = { ok: true; tags: TagMap; count: number; key?: string; seriesKey?: string } | { ok: false; message: string; seriesKey?: undefined };

const OMIT = Symbol('omit');

function coerce(value: unknown): string | typeof OMIT | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return OMIT;
    default:
      return value === null ? OMIT : undefined;
  }
}

const describeType = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

function tooMany(count: number): NormalisedTags {
  return { ok: false, message: `the event has ${count} tags; the limit is ${WIRE_LIMITS.maxTagsPerEvent}` };
}

/**
 * Merges a tagged emitter's normalised tags (`base`) with a call's snapshot; the call's tags win on
 * the same key. Never throws; a tag that cannot be a string makes the whole set invalid.
 */
export function normaliseTags(base: NormalisedTags | undefined, snapshot: unknown): NormalisedTags {
  if (base && !base.ok) return base;
  if (snapshot === undefined || snapshot === null) return base ?? { ok: true, tags: Object.create(null) as TagMap, count: 0 };
  if (snapshot === UNREADABLE_TAGS) {
    return { ok: false, message: 'tags could not be read: pass an array of { key, value } or a plain object of at most 16 entries' };
  }
  if (typeof snapshot !== 'object') {
    return { ok: false, message: `tags must be an array of { key, value } or a plain object, got ${describeType(snapshot)}` };
  }
  const out = Object.create(null) as TagMap;
  let count = 0;
  if (base) {
    for (const key in base.tags) out[key] = base.tags[key] as string;
    count = base.count;
  }
  const put = (key: unknown, raw: unknown): string | undefined => {
    if (typeof key !== 'string' || key.length === 0) return `a tag key must be a non-empty string, got ${describeType(key)}`;
    const value = coerce(raw);
    if (value === undefined) return `tag ${JSON.stringify(key.slice(0, 64))} must be a string, number or boolean, got ${describeType(raw)}`;
    const had = key in out;
    if (value === OMIT) {
      if (had) {
        delete out[key];
        count--;
      }
      return undefined;
    }
    if (!had) count++;
    out[key] = value;
    return undefined;
  };
  if (Array.isArray(snapshot)) {
    if (snapshot.length / 2 > MAX_ARRAY_TAGS_COPIED) return tooMany(snapshot.length / 2);
    for (let i = 0; i < snapshot.length; i += 2) {
      const problem = put(snapshot[i], snapshot[i + 1]);
      if (problem) return { ok: false, message: problem };
    }
  } else {
    const keys = Object.keys(snapshot);
    // A huge map is rejected before its values are read; the exact limit is checked below.
    if (keys.length > MAX_ARRAY_TAGS_COPIED) return tooMany(keys.length);
    for (const key of keys) {
      const problem = put(key, (snapshot as Record<string, unknown>)[key]);
      if (problem) return { ok: false, message: problem };
    }
  }
  if (count > WIRE_LIMITS.maxTagsPerEvent) return tooMany(count);
  return { ok: true, tags: out, count };
}

/** Tags with more entries than this skip the fast key (they are refused anyway). */
const MAX_FAST_KEY_TAGS = WIRE_LIMITS.maxTagsPerEvent;

/**
 * A cache key that identifies the normalised tags of (base, snapshot) without normalising them,
 * for the common shapes: no tags, or tags whose keys and values are all strings. Each string is
 * length-prefixed, so no content (not even a separator character inside a value) can make two
 * different tag sets share a key. `undefined` means "no fast key": normalise instead.
 */
export function tagSetKey(base: NormalisedTags | undefined, snapshot: unknown): string | undefined {
  let key: string;
  if (base === undefined) key = '';
  else if (base.ok && base.key !== undefined) key = `${base.key.length}:${base.key}`;
  else return undefined;
  if (snapshot === undefined || snapshot === null) return key;
  if (typeof snapshot !== 'object') return undefined;
  let n = 0;
  if (Array.isArray(snapshot)) {
    if (snapshot.length > 2 * MAX_FAST_KEY_TAGS) return undefined;
    for (let i = 0; i < snapshot.length; i += 2) {
      const k: unknown = snapshot[i];
      const v: unknown = snapshot[i + 1];
      if (typeof k !== 'string' || typeof v !== 'string') return undefined;
      key += `|${k.length}:${k}${v.length}:${v}`;
    }
    return key;
  }
  for (const k in snapshot) {
    const v: unknown = (snapshot as Record<string, unknown>)[k];
    if (typeof v !== 'string' || ++n > MAX_FAST_KEY_TAGS) return undefined;
    key += `|${k.length}:${k}${v.length}:${v}`;
  }
  return key;
}
