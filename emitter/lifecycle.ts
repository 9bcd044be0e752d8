import type { EmitterCore } from './core';

/**
 * Process hooks for long-running processes, installed once per process by the first emitter that
 * has somewhere to send events (never for `none`). Neither hook keeps a process alive on its own:
 * signal listeners do not hold the event loop open, and `beforeExit` only fires once it is empty.
 *
 * SIGTERM. Installing any listener turns off Node's default "terminate now", so:
 * - when ours is the only SIGTERM listener, we shut the emitters down (flush within
 *   shutdownTimeoutMs, then close the transport), remove our listener and re-raise SIGTERM: the
 *   process still dies by SIGTERM as it would have, just after the flush. A second SIGTERM during
 *   the flush finds no listener and kills the process at once, as usual.
 * - when the application has its own SIGTERM listener, it owns termination: we only start a
 *   flush and let its handler decide when to exit. Such a handler should `await shutdownMetrics()`
 *   before calling `process.exit()`, because `exit` cannot wait for I/O.
 *
 * beforeExit (the event loop ran dry: a script finished). If events are pending we flush, holding
 * the process open with a ref'd timer for at most shutdownTimeoutMs; whatever is still pending
 * then is dropped as `shutdown` so the process can end. `process.exit()` skips beforeExit: call
 * `await flushMetrics()` first.
 *
 * One pair of listeners serves every copy of this library loaded in the process (a registry on
 * `process` under a well-known symbol): with a listener per copy, each copy would take the
 * other's for the application's own handler, and SIGTERM would no longer end the process.
 */
type ActiveEmitter = () => EmitterCore;
type Registry = Map<ActiveEmitter, () => number>;

const REGISTRY = Symbol.for('@avalo/observability/emitter:process-hooks');

export function installProcessHooks(active: ActiveEmitter, shutdownTimeoutMs: () => number): void {
  const holder = process as unknown as { [REGISTRY]?: Registry };
  let registry = holder[REGISTRY];
  if (!registry) {
    registry = new Map();
    holder[REGISTRY] = registry;
    listen(registry);
  }
  registry.set(active, shutdownTimeoutMs);
}

function listen(registry: Registry): void {
  const flushingAtExit = new Set<EmitterCore>();
  process.on('beforeExit', () => {
    for (const [active, timeoutMs] of registry) {
      const emitter = active();
      if (flushingAtExit.has(emitter) || emitter.pending() === 0) continue;
      flushingAtExit.add(emitter);
      const keepAlive = setTimeout(() => emitter.dropPending('shutdown'), timeoutMs());
      void emitter.flush().then(() => {
        clearTimeout(keepAlive);
        flushingAtExit.delete(emitter);
      });
    }
  });

  const onSigterm = (): void => {
    const emitters = [...registry.keys()].map((active) => active());
    if (process.listenerCount('SIGTERM') > 1) {
      for (const emitter of emitters) void emitter.flush();
      return;
    }
    process.removeListener('SIGTERM', onSigterm);
    void Promise.all(emitters.map((emitter) => emitter.shutdown())).then(() => {
      process.kill(process.pid, 'SIGTERM');
    });
  };
  process.on('SIGTERM', onSigterm);
}
