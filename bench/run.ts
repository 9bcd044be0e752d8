/**
 * `npm run bench`: runs every bench/*.bench.ts in its own child process, one after another (two
 * cores: parallel benchmarks would measure each other). `npm run bench -- emitter` runs only the
 * files whose name contains "emitter". Each benchmark prints its own table of ratios.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2];
const files = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
if (files.length === 0) {
  process.stdout.write(filter ? `no benchmark matches "${filter}"\n` : 'no benchmarks yet\n');
  process.exit(filter ? 1 : 0);
}
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n### ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(__dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
