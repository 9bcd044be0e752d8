import type { Command } from '../command';

/**
 * `obs start`: the local stack. Until issue #8 lands this only explains what exists; it never
 * crashes and exits 0, so `npm start` on a fresh clone is honest about the state of things.
 */
export const startCommand: Command = {
  name: 'start',
  usage: 'obs start [--no-demo]',
  summary: 'Run the whole pipeline locally (not built yet: prints what exists)',
  run(_args, io) {
    io.out(
      [
        'obs start — the local observability stack',
        '',
        'Not built yet (issue #8): nothing is running. What exists today:',
        '  • the domain catalogue: `npx obs catalog` (metrics, modules, SLOs, alert rules)',
        '  • the wire format v1 validator and PII guard (shared/), documented in docs/',
        '',
        'Still to come: emitter (#3), ingest and warehouse (#4), aggregator and SLOs (#5),',
        'alerts (#6), health endpoints and dashboard (#7), this local stack (#8).',
      ].join('\n'),
    );
    return Promise.resolve(0);
  },
};
