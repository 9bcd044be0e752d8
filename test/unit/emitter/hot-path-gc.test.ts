import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A major GC that finds no live aggregate used to free their hidden class, and V8 then threw away
 * the caller's path's optimised code (deopt reason "weak objects"): every call after each major
 * GC ran interpreted until re-optimised, 2–3× slower (`npm run bench -- emitter`). This checks the
 * mechanism, not a timing: the merge step is still optimised after a flush and a major GC.
 */
describe('emitter: the caller path stays optimised across a major GC', () => {
  it('SeriesAggregate.prototype.add keeps its optimised code after the interval is flushed and the heap collected', () => {
    const result = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', join(__dirname, 'fixtures', 'hot-path-gc.ts')], {
      encoding: 'utf8',
      env: { ...process.env, OBSERVABILITY_PROVIDER: 'none' },
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { optimisedBefore: boolean; optimisedAfter: boolean };
    // The precondition: V8 did optimise it (else the second assertion would prove nothing).
    expect(report.optimisedBefore).toBe(true);
    expect(report.optimisedAfter).toBe(true);
  });
});
