import type { KindCode } from './buffer';
import type { SeriesAggregate } from './aggregate';
import type { NormalisedTags } from './tags';

/**
 * One step of a series' path: metric name, then (a tagged emitter's tags,) then each call tag's
 * key and value in turn. The aggregate of the series sits on its last node.
 */
export interface SeriesNode {
  readonly next: Map<string, SeriesNode>;
  /** By tagged-emitter identity: its tags were normalised once, when it was created. */
  bases: Map<NormalisedTags, SeriesNode> | undefined;
  /** By the JSON of normalised tags, for tags the string path does not cover (numbers, booleans, omitted values). */
  normalised: Map<string, SeriesNode> | undefined;
  aggregate: SeriesAggregate | undefined;
}

const node = (): SeriesNode => ({ next: new Map<string, SeriesNode>(), bases: undefined, normalised: undefined, aggregate: undefined });

type Roots = [Map<string, SeriesNode>, Map<string, SeriesNode>, Map<string, SeriesNode>];
const roots = (): Roots => [new Map<string, SeriesNode>(), new Map<string, SeriesNode>(), new Map<string, SeriesNode>()];

/** More call tags than this are refused at validation anyway: they take the slow path. */
const MAX_PATH_TAGS = 16;

/**
 * The open series of one flush interval, found on the caller's path without building a key:
 * a path of Map lookups on the strings the caller already holds (tag keys and values are usually
 * literals or interned strings, whose hashes V8 caches), so a call on an open series allocates
 * nothing. prom-client's `labels()` and OpenTelemetry's `add()` hash a key string per call; this
 * does not.
 *
 * Two calls with the same tags in a different key order, or through two tagged emitters with equal
 * tags, take two paths and make two events: each is exact, rollups sum them, only the merge ratio
 * suffers. The table is rebuilt each interval (`reset`), so it holds only live series.
 */
export class SeriesTable {
  private roots: Roots = roots();

  /**
   * The node of (kind, name, base, call tags), created as needed; undefined when the call tags are
   * not a plain object or `[{ key, value }]` array of string keys and values (the caller then
   * normalises them and uses `normalisedNode`). May throw on hostile tags: the caller catches.
   */
  find(kind: KindCode, name: string, base: NormalisedTags | undefined, tags: unknown): SeriesNode | undefined {
    let at = rootOf(this.roots[kind], name);
    if (base !== undefined) {
      const bases = (at.bases ??= new Map<NormalisedTags, SeriesNode>());
      let b = bases.get(base);
      if (b === undefined) {
        b = node();
        bases.set(base, b);
      }
      at = b;
    }
    if (tags === undefined || tags === null) return at;
    if (typeof tags !== 'object') return undefined;
    if (Array.isArray(tags)) {
      const n = tags.length;
      if (n > MAX_PATH_TAGS) return undefined;
      for (let i = 0; i < n; i++) {
        const tag: unknown = tags[i];
        if (typeof tag !== 'object' || tag === null) return undefined;
        const k: unknown = (tag as { key?: unknown }).key;
        const v: unknown = (tag as { value?: unknown }).value;
        if (typeof k !== 'string' || typeof v !== 'string') return undefined;
        at = step(step(at, k), v);
      }
      return at;
    }
    let count = 0;
    for (const k in tags) {
      const v: unknown = (tags as Record<string, unknown>)[k];
      if (typeof v !== 'string' || ++count > MAX_PATH_TAGS) return undefined;
      at = step(step(at, k), v);
    }
    return at;
  }

  /** The node of (kind, name) with tags normalised to `json` (their JSON; the base merged in). */
  normalisedNode(kind: KindCode, name: string, json: string): SeriesNode {
    const at = rootOf(this.roots[kind], name);
    const normalised = (at.normalised ??= new Map<string, SeriesNode>());
    let n = normalised.get(json);
    if (n === undefined) {
      n = node();
      normalised.set(json, n);
    }
    return n;
  }

  /** Forgets every path: the next interval starts empty (the aggregates live on in the drain's queue). */
  reset(): void {
    this.roots = roots();
  }
}

function rootOf(root: Map<string, SeriesNode>, name: string): SeriesNode {
  let at = root.get(name);
  if (at === undefined) {
    at = node();
    root.set(name, at);
  }
  return at;
}

function step(at: SeriesNode, s: string): SeriesNode {
  let next = at.next.get(s);
  if (next === undefined) {
    next = node();
    at.next.set(s, next);
  }
  return next;
}
