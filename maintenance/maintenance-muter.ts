import type { Muter } from '../alerts/mute/muter';
import { isActiveAt, type MaintenanceOccurrence } from './occurrence';

/**
 * A {@link Muter} for the maintenance occurrences in progress at `nowMs`: an alert whose `module`
 * label is the occurrence's module is muted like a silence mutes it — its state is still
 * evaluated and stored, firing notifications and reminders are held back (a firing alert that
 * outlives the window is notified at the next run after it), and a resolve of an alert that was
 * notified before the window still goes out (alerts/notify/dedup-stage.ts never mutes resolves).
 */
export function maintenanceMuter(occurrences: readonly MaintenanceOccurrence[], nowMs: number): Muter {
  const active = occurrences.filter((o) => isActiveAt(o, nowMs));
  return {
    mutes(labels) {
      const occurrence = active.find((o) => o.module === labels.module);
      return occurrence ? { by: 'maintenance', maintenanceId: occurrence.id, title: occurrence.title } : undefined;
    },
  };
}
