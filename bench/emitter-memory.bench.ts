/**
 * Memory stays bounded when the transport is down: 1,000,000 calls with the Pub/Sub transport
 * pointed at a closed port on 127.0.0.1 (connections refused, as with a dead emulator), with the
 * default limits (buffer 10,000 events, retry window 30 s). The calls are made in chunks of 10,000
 * with a turn of the event loop between chunks, so the emitter's own machinery runs meanwhile
 * (serialising, publishing, failing, backing off), as it would in a live process.
 *
 * Heap growth is measured after full garbage collections, from just before the first of the
 * 1,000,000 calls (SDK loaded, channel open, buffer preallocated) to just after the last.
 * Drops must be counted exactly: every call beyond the buffer's capacity is a `buffer_full` drop.
 *
 * Target (issue #3): heap growth under 10 MB. Run with `aggregation: 'none'` (one event per call),
 * the mode whose buffer fills.
 */
import { freePort } from '../cli/local/emulators';
import { createEmitter, EMITTER_DEFAULTS } from '../emitter';

// No GCE metadata server here: stop google-auth probing for one (it only prints a warning).
process.env.METADATA_SERVER_DETECTION ??= 'none';

const CALLS = 1_000_000;
const CHUNK = 10_000;
const TARGET_BYTES = 10 * 1024 * 1024;
const FEATURES = ['chat', 'call', 'gift', 'boost'];
const REASONS = ['insufficient_funds', 'limit_reached'];

const gc = (globalThis as { gc?: () => void }).gc;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** V8 heap and, separately, Buffer memory outside it (sealed messages are Buffers), after full GCs. */
async function memoryAfterGc(): Promise<{ heap: number; buffers: number }> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await turn();
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  const port = await freePort(); // free a moment ago: nothing listens there
  // One event per call: the buffer bound is what this measures (aggregated, these 8 series would
  // hold 8 events whatever the outage; the aggregating bound is the burst test's heap check).
  const emitter = createEmitter({ transport: 'pubsub', aggregation: 'none', emulatorHost: `127.0.0.1:${port}`, projectId: 'obs-bench', service: 'bench', environment: 'bench', shutdownTimeoutMs: 200, logger: { warn: () => undefined }, env: {} });

  // Warm up: load the SDK and let the first publish fail, so the baseline includes them.
  void emitter.count('product.wallet.spend.failed', 1, { feature: 'chat', reason: 'limit_reached' });
  void emitter.flush();
  while (emitter.stats().publishFailures === 0) await new Promise((r) => setTimeout(r, 20));
  const before = emitter.stats();
  const memBefore = await memoryAfterGc();

  const started = process.hrtime.bigint();
  for (let done = 0; done < CALLS; done += CHUNK) {
    for (let i = done; i < done + CHUNK; i++) void emitter.count('product.wallet.spend.failed', 1, { feature: FEATURES[i & 3], reason: REASONS[i & 1] });
    await turn();
  }
  const nsPerCall = Number(process.hrtime.bigint() - started) / CALLS;
  const memAfter = await memoryAfterGc();
  const after = emitter.stats();

  const emitted = after.emitted - before.emitted;
  const pendingBefore = before.buffered + before.inFlight;
  const pendingAfter = after.buffered + after.inFlight;
  const bufferFull = after.droppedByReason.buffer_full - before.droppedByReason.buffer_full;
  const otherDrops = after.dropped - before.dropped - bufferFull;
  // Exact accounting: every call either took a free slot or was refused as buffer_full.
  const expectedBufferFull = CALLS - (pendingAfter - pendingBefore) - otherDrops;
  const invariant = after.published + after.dropped + after.buffered + after.inFlight === after.emitted;
  const growth = memAfter.heap - memBefore.heap;
  const bufferGrowth = memAfter.buffers - memBefore.buffers;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

  process.stdout.write(
    [
      `1,000,000 calls with the transport down (Pub/Sub client → closed port 127.0.0.1:${port}), maxBufferedEvents ${EMITTER_DEFAULTS.maxBufferedEvents.toLocaleString('en')}`,
      '',
      `| measure                                   | value`,
      `|-------------------------------------------|------------------------------`,
      `| V8 heap before / after (after full GC)    | ${mb(memBefore.heap)} / ${mb(memAfter.heap)}`,
      `| heap growth                               | ${mb(growth)} (target < ${mb(TARGET_BYTES)}: ${growth < TARGET_BYTES ? 'met' : 'MISSED'})`,
      `| Buffer memory outside the heap, growth    | ${mb(bufferGrowth)} (sealed messages waiting for a retry)`,
      `| heap + Buffer growth                      | ${mb(growth + bufferGrowth)} (${growth + bufferGrowth < TARGET_BYTES ? 'also' : 'NOT'} under ${mb(TARGET_BYTES)})`,
      `| calls made                                | ${emitted.toLocaleString('en')}`,
      `| pending (buffered + in flight) after      | ${pendingAfter.toLocaleString('en')} (cap ${EMITTER_DEFAULTS.maxBufferedEvents.toLocaleString('en')})`,
      `| dropped as buffer_full                    | ${bufferFull.toLocaleString('en')} (expected exactly ${expectedBufferFull.toLocaleString('en')}: ${bufferFull === expectedBufferFull ? 'exact' : 'MISMATCH'})`,
      `| other drops during the run                | ${otherDrops}`,
      `| publish attempts failed                   | ${after.publishFailures} (${after.lastTransportError?.message.slice(0, 60) ?? ''}…)`,
      `| emitted = published + dropped + pending   | ${invariant ? 'holds' : 'BROKEN'} (${after.emitted.toLocaleString('en')} = ${after.published} + ${after.dropped.toLocaleString('en')} + ${pendingAfter.toLocaleString('en')})`,
      `| mean cost per call over the run           | ${nsPerCall.toFixed(0)} ns (mostly the buffer_full path)`,
    ].join('\n') + '\n',
  );
  await emitter.shutdown();
  if (growth + bufferGrowth >= TARGET_BYTES || bufferFull !== expectedBufferFull || !invariant || emitted !== CALLS) process.exitCode = 1;
}

void main();
