/** A component's health as the internal endpoint reports it. */
export type ComponentStatus = 'ok' | 'degraded' | 'error' | 'skipped';

export interface ComponentHealth {
  name: string;
  status: ComponentStatus;
  latencyMs: number;
  lastChecked: number;
  detail?: string;
}

/** What a probe finds: a status and a sentence. Throwing means `error` with the message. */
export interface ProbeResult {
  status: ComponentStatus;
  detail?: string;
}

export type Probe = () => Promise<ProbeResult>;

/** Every probe gets at most this long, so a hung dependency yields `error` within 2 s overall. */
export const PROBE_TIMEOUT_MS = 1_500;

class ProbeTimeout extends Error {}

/**
 * Runs one probe with a timeout, measuring its latency. Never throws: a rejection or a timeout
 * becomes an `error` component whose detail is the (already secret-free) message.
 */
export async function runProbe(name: string, probe: Probe, timeoutMs = PROBE_TIMEOUT_MS, clock: () => number = Date.now): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let result: ProbeResult;
  try {
    result = await Promise.race([probe(), timeout]);
  } catch (error) {
    result = { status: 'error', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
  return { name, ...result, latencyMs: Math.round(performance.now() - started), lastChecked: clock() };
}

/** Overall status: any error → error; any degraded → degraded; skipped components do not count. */
export function overallStatus(components: readonly ComponentHealth[]): 'ok' | 'degraded' | 'error' {
  if (components.some((c) => c.status === 'error')) return 'error';
  if (components.some((c) => c.status === 'degraded')) return 'degraded';
  return 'ok';
}

/** Freshness of something that should happen every so often: ok, degraded past `warnMs`, error past `errorMs`. */
export function freshness(ageMs: number | undefined, warnMs: number, errorMs: number, what: string): ProbeResult {
  if (ageMs === undefined) return { status: 'degraded', detail: `${what}: never` };
  const minutes = (ageMs / 60_000).toFixed(1);
  if (ageMs > errorMs) return { status: 'error', detail: `${what} ${minutes} min ago (limit ${errorMs / 60_000} min)` };
  if (ageMs > warnMs) return { status: 'degraded', detail: `${what} ${minutes} min ago (expected within ${warnMs / 60_000} min)` };
  return { status: 'ok', detail: `${what} ${minutes} min ago` };
}
