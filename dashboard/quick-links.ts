/**
 * A link of the dashboard's quick-link bar. `auth: 'bearer'` marks an admin API the page fetches
 * itself with the token it holds and shows in place: a plain link would reach it without the
 * Authorization header (a 401), and the token never goes into a URL.
 */
export interface QuickLink {
  readonly label: string;
  readonly href: string;
  readonly auth?: 'bearer';
}

const FEATURE_MATRIX: QuickLink = { label: 'Feature matrix (JSON)', href: '/health/feature-matrix', auth: 'bearer' };

/** Production: the admin app's consoles sit beside the dashboard on the same host. */
export const QUICK_LINKS: readonly QuickLink[] = [
  { label: 'Incidents & runbooks', href: '/docs/OPERATIONS.md' },
  { label: 'Support queue', href: '/admin/support' },
  { label: 'Fraud & risk', href: '/admin/fraud' },
  { label: 'Audit logs', href: '/admin/audit' },
  { label: 'Safety', href: '/admin/safety' },
  FEATURE_MATRIX,
];

/**
 * The local stack (`obs start`): there is no admin app, so its consoles are left out rather than
 * linked to a 404; what is linked is served by the stack itself (cli/local/http-app.ts).
 */
export const LOCAL_QUICK_LINKS: readonly QuickLink[] = [
  { label: 'Incidents & runbooks', href: '/docs/OPERATIONS.md#runbooks' },
  { label: 'Analysts’ SQL', href: '/docs/ANALYSTS.md' },
  FEATURE_MATRIX,
];
