/**
 * glibc's malloc gives each thread that contends for memory an arena of its own (up to eight per
 * core), and memory freed in one arena is not reused by another. DuckDB's C++ objects are
 * allocated on libuv's pool threads and DuckDB's own, so over hours a busy stack's resident memory
 * grows in those arenas (the soak, docs/OPERATIONS.md: 1.1–1.7 MB/min at 2,000 events/s; about
 * 0.2–0.7 with two arenas). glibc reads MALLOC_ARENA_MAX once, when the process starts, so a Node
 * process cannot limit its own arenas: `npm start` sets it for `obs start`, and the banner says
 * when it is missing.
 */
export const STACK_MALLOC_ARENA_MAX = '2';

/** The banner's allocator line: none off glibc (Linux only), else whether the arenas are limited. */
export function allocatorLine(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (platform !== 'linux') return [];
  const value = env.MALLOC_ARENA_MAX;
  if (value !== undefined && value !== '') return [`  allocator   glibc arenas limited (MALLOC_ARENA_MAX=${value})`];
  return [
    `  allocator   MALLOC_ARENA_MAX is not set: DuckDB's native memory grows in glibc's per-thread arenas over hours; npm start sets ${STACK_MALLOC_ARENA_MAX} (docs/OPERATIONS.md)`,
  ];
}
