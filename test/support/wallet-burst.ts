import type { RunningStack } from '../../cli/local/stack';

/**
 * The wallet P0's cause on a running local stack: 12 declined spends (threshold 10) through the
 * stack's emitter, then waits until ingest stored them and the streaming evaluation is idle.
 */
export async function walletFailureBurst(stack: RunningStack): Promise<void> {
  for (let i = 0; i < 12; i++) void stack.emitter.count('product.wallet.spend.failed', 1, { reason: 'declined' });
  await stack.emitter.flush();
  const deadline = Date.now() + 60_000;
  while (stack.ingested().stored < 1) {
    if (Date.now() > deadline) throw new Error('the burst was not ingested within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  await stack.streamingIdle();
}
