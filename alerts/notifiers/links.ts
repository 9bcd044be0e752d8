import type { AlertSnapshot } from '../notify/notification';

/**
 * Links a message carries. Runbooks are repository paths with anchors
 * (`docs/OPERATIONS.md#runbook-…`); with `runbookBaseUrl` set they become absolute links,
 * otherwise messages show the path as text. The dashboard link opens the admin dashboard on the
 * alert's module.
 */
export interface LinkOptions {
  /** e.g. `http://localhost:8080` (the local stack) or the deployed dashboard's origin. */
  readonly dashboardBaseUrl: string;
  /** e.g. `https://github.com/<org>/<repo>/blob/main/`; unset → runbooks are shown as paths. */
  readonly runbookBaseUrl?: string;
}

export interface AlertLinks {
  /** An absolute runbook URL, or undefined when only the repository path is known. */
  runbookUrl(alert: AlertSnapshot): string | undefined;
  runbookPath(alert: AlertSnapshot): string;
  dashboardUrl(alert: AlertSnapshot): string;
}

const isAbsolute = (url: string): boolean => /^https?:\/\//.test(url);

/** A loop, not `/\/+$/`: that regex is quadratic on a run of slashes followed by anything else. */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

export function createLinks(options: LinkOptions): AlertLinks {
  const dashboardBase = withoutTrailingSlashes(options.dashboardBaseUrl);
  return {
    runbookPath: (alert) => alert.runbook,
    runbookUrl(alert) {
      if (isAbsolute(alert.runbook)) return alert.runbook;
      if (!options.runbookBaseUrl) return undefined;
      return new URL(alert.runbook, options.runbookBaseUrl.endsWith('/') ? options.runbookBaseUrl : `${options.runbookBaseUrl}/`).toString();
    },
    dashboardUrl: (alert) => `${dashboardBase}/admin/observability?module=${encodeURIComponent(alert.module)}`,
  };
}
