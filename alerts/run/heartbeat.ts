import type { Logger } from '../../shared/logger';

/**
 * The dead man's switch (docs/OPERATIONS.md, "Dead man's switch"). The system that pages people
 * must itself be watched from outside: after every successful alert evaluation the evaluator pings
 * `OBS_HEARTBEAT_URL` (a healthchecks-style check URL or a PagerDuty-style heartbeat), and that
 * outside service pages when the pings stop — whatever stopped them (the scheduler, a crash loop,
 * a lost deploy, an expired credential).
 *
 * The ping is a plain HTTP GET, which both kinds of service accept; no body, no credentials but the
 * URL itself. The URL is a secret (whoever holds it can fake "alive"): it never reaches a log line,
 * only its host does.
 */

/** A ping gets this long before it is abandoned: well inside a 1-minute evaluation schedule. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;

export type FetchLike = (url: string, init: { method: 'GET'; signal: AbortSignal; headers: Record<string, string> }) => Promise<{ readonly ok: boolean; readonly status: number; readonly body?: { cancel(): Promise<void> } | null }>;

export interface HeartbeatOptions {
  /** OBS_HEARTBEAT_URL; undefined or empty makes the heartbeat a no-op. */
  readonly url: string | undefined;
  readonly timeoutMs?: number;
  /** Failures are logged here as warnings (the URL redacted). */
  readonly log: Logger;
  /** Default: the global fetch. */
  readonly fetch?: FetchLike;
}

/** What one ping got: never a throw. `reason` never contains the URL. */
export type HeartbeatResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string };

/**
 * Contract: `ping()` returns at once and never throws; the request runs off the caller's path under
 * its own timeout, and its failure is logged, never raised. `pending()` resolves when every ping
 * started so far has finished (tests, and a process that wants to flush before it exits); it never
 * rejects. `enabled` is false when no URL is configured, and then `ping()` does nothing.
 */
export interface Heartbeat {
  readonly enabled: boolean;
  /** Where pings go, safe to print: the URL's host, or `<OBS_HEARTBEAT_URL>` when it has none. */
  readonly target: string;
  ping(): void;
  pending(): Promise<void>;
}

/** The part of the URL that may be printed: its host (the secret is the path and query). */
export function heartbeatTarget(url: string): string {
  try {
    return new URL(url).host || '<OBS_HEARTBEAT_URL>';
  } catch {
    return '<OBS_HEARTBEAT_URL>';
  }
}

/** Removes the URL and each secret-bearing part of it (path, query, credentials) from `text`. */
function redactUrl(text: string, url: string): string {
  const parts = [url];
  try {
    const parsed = new URL(url);
    parts.push(parsed.href, `${parsed.pathname}${parsed.search}`, parsed.search.slice(1), parsed.username, parsed.password);
    parts.push(...parsed.pathname.split('/').filter((segment) => segment.length >= 4));
  } catch {
    // not a URL: the whole text is all there is to remove
  }
  let out = text;
  for (const part of parts.sort((a, b) => b.length - a.length)) if (part.length >= 4) out = out.split(part).join('<OBS_HEARTBEAT_URL>');
  return out;
}

function describe(error: unknown): string {
  // Checked by shape, not instanceof: the timeout is a DOMException, from another realm under some runners.
  const e = error as { name?: unknown; message?: unknown; cause?: { message?: unknown } } | null;
  if (typeof e !== 'object' || e === null || typeof e.message !== 'string') return String(error);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer';
  return typeof e.cause?.message === 'string' ? `${e.message}: ${e.cause.message}` : e.message;
}

/**
 * Sends one ping and reports what happened. Never throws; the result's reason never contains the
 * URL. The response body is discarded unread.
 */
export async function sendHeartbeat(url: string, options: { timeoutMs?: number; fetch?: FetchLike } = {}): Promise<HeartbeatResult> {
  const timeoutMs = options.timeoutMs ?? HEARTBEAT_TIMEOUT_MS;
  const send: FetchLike = options.fetch ?? fetch;
  try {
    const response = await send(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'obs-heartbeat' } });
    await response.body?.cancel().catch(() => undefined);
    return response.ok ? { ok: true, status: response.status } : { ok: false, reason: `HTTP ${response.status}` };
  } catch (error) {
    const reason = describe(error);
    return { ok: false, reason: redactUrl(reason === 'no answer' ? `no answer within ${timeoutMs} ms` : reason, url) };
  }
}

const NO_HEARTBEAT: Heartbeat = { enabled: false, target: 'none', ping: () => undefined, pending: () => Promise.resolve() };

/** The heartbeat of one evaluator process; a no-op when `url` is unset. */
export function createHeartbeat(options: HeartbeatOptions): Heartbeat {
  const url = options.url?.trim();
  if (!url) return NO_HEARTBEAT;
  const target = heartbeatTarget(url);
  const inFlight = new Set<Promise<void>>();
  let failing = false;
  const once = async (): Promise<void> => {
    try {
      const result = await sendHeartbeat(url, { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.fetch ? { fetch: options.fetch } : {}) });
      if (!result.ok) {
        failing = true;
        options.log.warn('heartbeat ping failed: the outside monitor will page if this continues', { heartbeat: target, reason: result.reason });
      } else if (failing) {
        failing = false;
        options.log.info('heartbeat ping succeeds again', { heartbeat: target, status: result.status });
      }
    } catch {
      // sendHeartbeat never throws and a logger must not either; nothing may escape a fire-and-forget ping.
    }
  };
  return {
    enabled: true,
    target,
    ping() {
      const run = once();
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    },
    async pending() {
      await Promise.all([...inFlight]);
    },
  };
}
