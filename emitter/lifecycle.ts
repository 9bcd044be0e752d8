import type { EmitterCore } from './core';

/**
 * Process hooks for long-running processes, installed once per process by the first emitter that
 * has somewhere to send events (never for `none`). Neither hook keeps a process alive on its own:
 * signal listeners do not hold the event loop open, and `beforeExit` only fires once it is empty.
 *
 * SIGTERM. Installing any listener turns off Node's default "terminate now", so:
 * - when ours is the only SIGTERM listener, we shut the emitter down (flush within
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
 */
export function installProcessHooks(active: () => EmitterCore, shutdownTimeoutMs: () => number): void {
  if (installed) return;
  installed = true;

  let exitFlushRunning = false;
  process.on('beforeExit', () => {
    const emitter = active();
    if (exitFlushRunning || emitter.pending() === 0) return;
    exitFlushRunning = true;
    const keepAlive = setTimeout(() => emitter.dropPending('shutdown'), shutdownTimeoutMs());
    void emitter.flush().then(() => {
      clearTimeout(keepAlive);
      exitFlushRunning = false;
    });
  });

  const onSigterm = (): void => {
    const emitter = active();
    if (process.listenerCount('SIGTERM') > 1) {
      void emitter.flush();
      return;
    }
    process.removeListener('SIGTERM', onSigterm);
    void emitter.shutdown().then(() => {
      process.kill(process.pid, 'SIGTERM');
    });
  };
  process.on('SIGTERM', onSigterm);
}

let installed = false;
