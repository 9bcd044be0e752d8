import { randomUUID } from 'node:crypto';
import type { Labels } from '../model/labels';
import { formatMatcher, matchesAll, type Matcher } from '../model/matchers';
import type { Muter } from './muter';

/**
 * A silence (Alertmanager's): mutes every alert whose labels match all its matchers while
 * `startsAtMs ≤ now < endsAtMs`. Expiring a silence sets its end to now. Silences mute firing
 * notifications and reminders, never the resolve of an alert already notified (see docs/ALERTS.md).
 */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly createdAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

export type SilenceStatus = 'pending' | 'active' | 'expired';

export function silenceStatus(silence: Silence, nowMs: number): SilenceStatus {
  if (nowMs < silence.startsAtMs) return 'pending';
  return nowMs < silence.endsAtMs ? 'active' : 'expired';
}

export interface NewSilence {
  readonly matchers: readonly Matcher[];
  readonly startsAtMs: number;
  readonly durationMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** Builds a silence, checking what a user would get wrong. Throws with a message meant for them. */
export function createSilence(input: NewSilence, nowMs: number, id: string = randomUUID()): Silence {
  if (input.matchers.length === 0) throw new Error('a silence needs at least one matcher (--matcher name=value)');
  if (input.matchers.every((m) => (m.op === '=~' && /^(\.\*)?$/.test(m.value)) || (m.op === '!=' && m.value === ''))) {
    throw new Error(`matchers ${input.matchers.map(formatMatcher).join(', ')} match every alert; be specific`);
  }
  if (!(input.durationMs > 0)) throw new Error('a silence needs a positive duration (--duration 2h)');
  if (input.comment.trim() === '') throw new Error('a silence needs a comment saying why (--comment "…")');
  return {
    id,
    matchers: input.matchers,
    startsAtMs: input.startsAtMs,
    endsAtMs: input.startsAtMs + input.durationMs,
    createdAtMs: nowMs,
    createdBy: input.createdBy,
    comment: input.comment.trim(),
  };
}

/** A {@link Muter} over a set of silences at one instant. */
export function silencer(silences: readonly Silence[], nowMs: number): Muter {
  const active = silences.filter((s) => silenceStatus(s, nowMs) === 'active');
  return {
    mutes(labels: Labels) {
      const silence = active.find((s) => matchesAll(s.matchers, labels));
      return silence ? { by: 'silence', silenceId: silence.id, comment: silence.comment } : undefined;
    },
  };
}
