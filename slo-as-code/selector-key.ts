import type { EventSelector } from '../shared/slo-catalogue';

/** A selector's identity (metric, sorted where tags, threshold): equal selectors share a key. */
export const selectorKey = (s: EventSelector): string => JSON.stringify([s.metric, Object.entries(s.where ?? {}).sort(), s.maxMs ?? null]);
