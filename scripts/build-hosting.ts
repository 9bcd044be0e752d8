/**
 * Builds Firebase Hosting's public folder (firebase.json `hosting.public`: hosting/public) from the
 * dashboard's static assets: dashboard/public's script and stylesheet and uPlot's dist files, at the
 * URL paths the page loads them from. The page itself (/admin/observability) and /api/** are not
 * copied: Hosting rewrites them to the dashboard function, which sets their security and cache
 * headers. Run by the hosting predeploy (`npm run build:hosting`); safe to re-run.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DASHBOARD_PATH, dashboardAssetFiles } from '../dashboard/dashboard-routes';

const root = join(__dirname, '..', 'hosting', 'public');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
let copied = 0;
for (const asset of dashboardAssetFiles()) {
  if (asset.path === DASHBOARD_PATH) continue;
  const target = join(root, ...asset.path.split('/').filter(Boolean));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(asset.file, target);
  copied += 1;
}
// Hosting answers paths that match neither a file nor a rewrite with this page.
writeFileSync(join(root, '404.html'), '<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found. The dashboard is at <a href="/admin/observability">/admin/observability</a>.</p>\n');
process.stdout.write(`hosting/public: ${copied} dashboard assets and 404.html\n`);
