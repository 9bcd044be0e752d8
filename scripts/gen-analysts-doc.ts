import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAnalystsDoc } from './analysts-doc';

/** Regenerates the generated parts of docs/ANALYSTS.md (scripts/analysts-doc.ts). */
const target = join(__dirname, '..', 'docs', 'ANALYSTS.md');
writeFileSync(target, renderAnalystsDoc(readFileSync(target, 'utf8')));
process.stdout.write(`wrote ${target}\n`);
