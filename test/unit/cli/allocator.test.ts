import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocatorLine, STACK_MALLOC_ARENA_MAX } from '../../../cli/local/allocator';

describe('obs start: glibc arenas (MALLOC_ARENA_MAX)', () => {
  it('npm start runs the stack with the arenas limited, unless the caller chose a value', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain(`MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-${STACK_MALLOC_ARENA_MAX}} node lib/cli/obs.js start`);
  });

  it('the banner says when the arenas are not limited on Linux, and which limit is in force', () => {
    expect(allocatorLine({}, 'linux')).toEqual([expect.stringContaining('MALLOC_ARENA_MAX is not set')]);
    expect(allocatorLine({ MALLOC_ARENA_MAX: '' }, 'linux')).toEqual([expect.stringContaining('MALLOC_ARENA_MAX is not set')]);
    expect(allocatorLine({ MALLOC_ARENA_MAX: '2' }, 'linux')).toEqual(['  allocator   glibc arenas limited (MALLOC_ARENA_MAX=2)']);
    // No glibc elsewhere: nothing to say.
    expect(allocatorLine({}, 'darwin')).toEqual([]);
  });
});
