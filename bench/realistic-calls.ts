import { countFor, logNormal } from '../cli/local/demo/random';
import { HEALTHY_TRAFFIC } from '../cli/local/demo/traffic-profile';
import type { MetricsClient } from '../emitter';

/**
 * The local stack's traffic profile (cli/local/demo/traffic-profile.ts, HEALTHY_TRAFFIC) as the
 * calls application code makes: a count of 1 per request, one timing per observation, a gauge
 * reading every 10 s. Shared by the emitter-aggregation and cost benchmarks.
 */
const SECOND = 1_000;
const GAUGE_EVERY_MS = 10_000;

export interface Call {
  at: number;
  emit(e: MetricsClient): void;
}

/** One simulated second of the realistic profile at `scale`: the calls, in time order. */
export function realisticSecond(random: () => number, scale: number, startMs: number): Call[] {
  const calls: Call[] = [];
  const at = () => startMs + Math.floor(random() * SECOND);
  for (const stream of HEALTHY_TRAFFIC) {
    if (stream.kind === 'gauge') {
      if (startMs % GAUGE_EVERY_MS === 0) {
        const level = Math.round(stream.base + (random() * 2 - 1) * stream.jitter);
        calls.push({ at: at(), emit: (e) => void e.gauge(stream.metric, level, stream.tags) });
      }
      continue;
    }
    const n = countFor(random, (stream.perMinute * scale) / 60);
    for (let i = 0; i < n; i++) {
      if (stream.kind === 'count') calls.push({ at: at(), emit: (e) => void e.count(stream.metric, 1, stream.tags) });
      else {
        const ms = Math.round(logNormal(random, stream.medianMs, stream.sigma) * 10) / 10;
        calls.push({ at: at(), emit: (e) => void e.timing(stream.metric, ms, stream.tags) });
      }
    }
  }
  return calls.sort((a, b) => a.at - b.at);
}
