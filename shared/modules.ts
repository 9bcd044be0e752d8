/**
 * The twelve modules the admin dashboard shows, with the packs that make them up.
 * Every metric, SLO and alert rule names its owning module by id.
 */
export const MODULES = {
  wallet: { name: 'Wallet & Token Store', packs: ['255', '277'] },
  chat: { name: 'Chat & Monetization', packs: ['268x', '273', '274', '275', '276'] },
  calls: { name: 'Voice & Video Calls', packs: ['273', '277', '278', '279', '280'] },
  events: { name: 'Events & Meetings', packs: ['218', '240'] },
  ai: { name: 'AI Companions', packs: ['279'] },
  safety: { name: 'Safety & Enforcement', packs: ['267', '268', '417', '418', '419', '420'] },
  support: { name: 'Support System', packs: ['300', '300A', '300B'] },
  data_rights: { name: 'Data Rights', packs: ['420'] },
  growth: { name: 'Growth & Retention', packs: ['301', '301A', '301B'] },
  fraud: { name: 'Fraud & Risk Engine', packs: ['302', '352'] },
  audit: { name: 'Audit Logs', packs: ['296'] },
  infrastructure: { name: 'Infrastructure', packs: ['421'] },
} as const satisfies Record<string, { name: string; packs: readonly string[] }>;

export type ModuleId = keyof typeof MODULES;

export const MODULE_IDS = Object.keys(MODULES) as ModuleId[];

export function isModuleId(value: unknown): value is ModuleId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MODULES, value);
}
