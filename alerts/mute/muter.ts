import type { Labels } from '../model/labels';

/**
 * Why an alert is muted: by a silence (its id), by an inhibition rule (and the alert that
 * inhibits), or by a maintenance window of its module (the occurrence's id and title; maintenance/).
 */
export type MuteReason =
  | { readonly by: 'silence'; readonly silenceId: string; readonly comment: string }
  | { readonly by: 'maintenance'; readonly maintenanceId: string; readonly title: string }
  | { readonly by: 'inhibition'; readonly rule: string; readonly sourceFingerprint: string };

/**
 * Alertmanager's `Muter`: answers whether an alert with these labels is muted right now, and why.
 * Silences and inhibition both implement it, and the notification pipeline only sees this.
 */
export interface Muter {
  mutes(labels: Labels, fingerprint: string): MuteReason | undefined;
}

/** The first muter that mutes wins. */
export function combineMuters(...muters: readonly Muter[]): Muter {
  return {
    mutes(labels, fingerprint) {
      for (const muter of muters) {
        const reason = muter.mutes(labels, fingerprint);
        if (reason) return reason;
      }
      return undefined;
    },
  };
}
