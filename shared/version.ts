import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package version, read once from package.json (works from sources and from lib/). */
function readVersion(): string {
  for (const dir of [join(__dirname, '..'), join(__dirname, '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@avalo/observability' && pkg.version) return pkg.version;
    } catch {
      // not here; try the next candidate
    }
  }
  return '0.0.0-unknown';
}

export const VERSION = readVersion();
