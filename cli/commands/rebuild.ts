import { parseArgs } from 'node:util';
import { runRebuild } from '../../aggregator/rebuild';
import { checkRebuildRange, trimRebuiltRollups } from '../../aggregator/retention';
import { appOf, AT_OPTION, formatHelp, JSON_OPTION, type Command } from '../command';
import { nowFrom, usageOnError, UsageError, withUsage, withWarehouse } from './aggregate';

/** `obs rebuild --from ISO --to ISO [--at ISO] [--json]`: replay raw events into the rollups. */
export const rebuildCommand: Command = {
  name: 'rebuild',
  usage: 'obs rebuild --from ISO --to ISO [--at ISO] [--json]',
  summary: 'Recompute the rollups of a time range (whole UTC days) from the raw events',
  help: () =>
    formatHelp({
      usage: 'obs rebuild --from ISO --to ISO [--at ISO] [--json]',
      description:
        'Recomputes metric_rollups and metric_histograms of [--from, --to), widened to whole UTC days, from metric_events (a replay; idempotent).\n' +
        'Refuses a range with days whose raw events retention removed (OBS_RETENTION_EVENTS_DAYS): it would delete the rollups left of them.',
      options: [
        { flag: '--from ISO', text: 'start of the range (required)' },
        { flag: '--to ISO', text: 'end of the range, after --from (required)' },
        AT_OPTION,
        JSON_OPTION,
      ],
      examples: ['obs rebuild --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z'],
    }),
  run(args, io, context) {
    return withUsage(this, io, async () => {
      const { values } = usageOnError(() =>
        parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } } }),
      );
      if (values.from === undefined || values.to === undefined) throw new UsageError('--from and --to are required');
      const fromMs = nowFrom(values.from);
      const toMs = nowFrom(values.to);
      if (!(toMs > fromMs)) throw new UsageError('--to must be after --from');
      const app = appOf(context);
      const nowMs = nowFrom(values.at, app.clock);
      // Retention (aggregator/retention.ts): never over days whose raw events retention removed,
      // and the rollup rows it recomputes past their own retention are removed again.
      const result = await withWarehouse(app, async (warehouse) => {
        const check = await checkRebuildRange(warehouse, app.config.retention, { fromMs, toMs, nowMs });
        if (check.refusal) throw new UsageError(check.refusal);
        const rebuilt = await runRebuild(warehouse, { fromMs, toMs, nowMs });
        return { ...rebuilt, rowsPastRetentionRemoved: await trimRebuiltRollups(warehouse, check) };
      });
      if (values.json) io.out(JSON.stringify(result, null, 2));
      else {
        io.out(
          `Rebuilt the rollups of ${new Date(result.fromMs).toISOString()} to ${new Date(result.toMs).toISOString()} (whole UTC days) ` +
            `from the raw events: ${result.chunks} chunk(s), ${result.statements} statements in ${result.durationMs} ms.` +
            (result.rowsPastRetentionRemoved > 0 ? ` Removed again ${result.rowsPastRetentionRemoved} recomputed rollup row(s) older than their retention (OBS_RETENTION_*_DAYS).` : ''),
        );
      }
      return 0;
    });
  },
};
