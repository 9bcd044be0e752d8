import { randomBytes } from 'node:crypto';
import { isMetricName, validateEvent, type Rejection } from '../shared';
import type { SeriesAggregate } from './aggregate';
import { KIND_NAMES, type RawCall } from './buffer';
import type { DropReason } from './types';
import { normaliseTags, tagSetKey, type NormalisedTags } from './tags';

/** The outcome of serialising one call; reused between calls to avoid an allocation per event. */
export interface SerialisedEvent {
  ok: boolean;
  json: string;
  /** UTF-8 length of `json`. */
  bytes: number;
  reason: DropReason;
  message: string;
}

type Verdict = { ok: true; tagsJson: string; tagsBytes: number } | { ok: false; reason: DropReason; message: string };

/**
 * Distinct (name, kind, tags) combinations remembered. Tag values are bounded enumerations by
 * design, so a real service has a few hundred combinations; the cap bounds memory when a caller
 * gets that wrong (the cache is then simply cleared and refilled).
 */
export const VERDICT_CACHE_MAX_ENTRIES = 10_000;

/** Maps the validator's rejection codes to drop reasons: unknown metric, then personal data, win. */
export function dropReasonFor(reasons: readonly Rejection[]): { reason: DropReason; message: string } {
  const pick = (code: string) => reasons.find((r) => r.code === code);
  const unknown = pick('unknown_metric');
  if (unknown) return { reason: 'unknown_metric', message: unknown.message };
  const personal = pick('personal_data');
  if (personal) return { reason: 'personal_data', message: personal.message };
  return { reason: 'invalid', message: reasons[0]?.message ?? 'invalid event' };
}

/**
 * Turns raw calls into wire-format v1 event JSON. Every event goes through the shared
 * `validateEvent` (catalogue, kinds, value and timestamp ranges, tag allow-lists, PII guard), in
 * two parts so the expensive part runs once per distinct tag set: the name, kind and tags are
 * validated once and the verdict (with the tags' JSON) cached; the id, value and timestamp are
 * validated per event.
 */
export class EventSerialiser {
  /** Per-process random prefix + counter: unique across processes without a UUID per event. */
  private readonly idPrefix = randomBytes(9).toString('base64url') + '-';
  private idCounter = 0;
  private readonly verdicts = new Map<string, Verdict>();

  /** The next event id. */
  nextId(): string {
    return this.idPrefix + (this.idCounter++).toString(36);
  }

  serialise(call: RawCall, nowMs: number, out: SerialisedEvent): boolean {
    const name = call.name;
    const kind = KIND_NAMES[call.kind];
    if (typeof name !== 'string') {
      // Described here rather than by validateEvent: a caller's object can be hostile (a revoked
      // proxy throws even on Array.isArray), and the validator inspects what it is given.
      return this.fail(out, { reason: 'unknown_metric', message: `a metric name must be a string from the catalogue, got ${name === null ? 'null' : typeof name}` });
    }
    if (!isMetricName(name)) {
      const result = validateEvent({ id: 'x', name, kind, value: 0, ts: nowMs }, { nowMs });
      return this.fail(out, result.ok ? { reason: 'unknown_metric', message: 'unknown metric' } : dropReasonFor(result.reasons));
    }
    const verdict = this.verdict(name, kind, call.base, call.tags, nowMs);
    if (!verdict.ok) return this.fail(out, verdict);

    const id = this.nextId();
    const scalar = validateEvent({ id, name, kind, value: call.value, ts: call.ts }, { nowMs });
    if (!scalar.ok) return this.fail(out, dropReasonFor(scalar.reasons));
    // Everything but the tags is ASCII (catalogue names, base64url ids, numbers), so the byte
    // length is the string length plus the tags' extra UTF-8 bytes, computed once per tag set.
    const json = `{"id":"${id}","name":"${name}","kind":"${kind}","value":${String(call.value)},"ts":${String(call.ts)},"tags":${verdict.tagsJson}}`;
    out.ok = true;
    out.json = json;
    out.bytes = json.length - verdict.tagsJson.length + verdict.tagsBytes;
    return true;
  }

  /**
   * Serialises the calls merged in `agg`. One call is sent exactly as `serialise` would send it (no
   * `count`), so old consumers see no change; more carry the aggregated-event fields. The tags are
   * checked once (the cached verdict) and the extremes of the values and times against the
   * validator's per-value rules: every merged value lies between them.
   */
  serialiseAggregate(agg: SeriesAggregate, nowMs: number, out: SerialisedEvent): boolean {
    const { name } = agg;
    const kind = agg.kindName;
    if (!isMetricName(name)) {
      const result = validateEvent({ id: 'x', name, kind, value: 0, ts: nowMs }, { nowMs });
      return this.fail(out, result.ok ? { reason: 'unknown_metric', message: 'unknown metric' } : dropReasonFor(result.reasons));
    }
    const verdict = this.verdict(name, kind, agg.base, agg.tags, nowMs);
    if (!verdict.ok) return this.fail(out, verdict);
    const id = this.nextId();
    const value = agg.wireValue;
    const scalar = validateEvent({ id, name, kind, value, ts: agg.endTs }, { nowMs });
    if (!scalar.ok) return this.fail(out, dropReasonFor(scalar.reasons));
    let json: string;
    if (agg.count === 1) {
      json = `{"id":"${id}","name":"${name}","kind":"${kind}","value":${String(value)},"ts":${String(agg.endTs)},"tags":${verdict.tagsJson}}`;
    } else {
      for (const [v, ts] of [[agg.min, agg.startTs], [agg.max, agg.endTs]] as const) {
        const extreme = validateEvent({ id, name, kind, value: v, ts }, { nowMs });
        if (!extreme.ok) return this.fail(out, dropReasonFor(extreme.reasons));
      }
      json = `{"id":"${id}","name":"${name}","kind":"${kind}","value":${String(value)},"ts":${String(agg.endTs)}${agg.mergedFields()},"tags":${verdict.tagsJson}}`;
    }
    out.ok = true;
    out.json = json;
    out.bytes = json.length - verdict.tagsJson.length + verdict.tagsBytes;
    return true;
  }

  /**
   * The cached verdict on (name, kind, tags). The usual case — string tag values — is looked up
   * by a key built straight from the call's tags; anything else is normalised first and looked up
   * by its JSON. Either way a miss runs the shared validator once and remembers the answer.
   */
  private verdict(name: string, kind: string, base: NormalisedTags | undefined, callTags: unknown, nowMs: number): Verdict {
    const fastKey = tagSetKey(base, callTags);
    const key = fastKey === undefined ? undefined : `${name}\u0000${kind}\u0000${fastKey}`;
    let verdict = key === undefined ? undefined : this.verdicts.get(key);
    if (verdict) return verdict;
    const tags = normaliseTags(base, callTags);
    if (!tags.ok) {
      verdict = { ok: false, reason: 'invalid', message: `${name}: ${tags.message}` };
    } else {
      const tagsJson = JSON.stringify(tags.tags);
      // JSON escapes control characters, so no tag JSON contains \u0000 and this key is unambiguous.
      const jsonKey = `${name}\u0000${kind}\u0000=${tagsJson}`;
      verdict = this.verdicts.get(jsonKey);
      if (!verdict) {
        const result = validateEvent({ id: 'verdict', name, kind, value: 0, ts: nowMs, tags: tags.tags }, { nowMs });
        verdict = result.ok ? { ok: true, tagsJson, tagsBytes: Buffer.byteLength(tagsJson, 'utf8') } : { ok: false, ...dropReasonFor(result.reasons) };
        this.remember(jsonKey, verdict);
      }
    }
    if (key !== undefined) this.remember(key, verdict);
    return verdict;
  }

  private remember(key: string, verdict: Verdict): void {
    if (this.verdicts.size >= VERDICT_CACHE_MAX_ENTRIES) this.verdicts.clear();
    this.verdicts.set(key, verdict);
  }

  private fail(out: SerialisedEvent, drop: { reason: DropReason; message: string }): false {
    out.ok = false;
    out.reason = drop.reason;
    out.message = drop.message;
    return false;
  }
}

export function emptySerialisedEvent(): SerialisedEvent {
  return { ok: false, json: '', bytes: 0, reason: 'invalid', message: '' };
}
