import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWireJsonSchema } from '../shared/json-schema';

const target = join(__dirname, '..', 'docs', 'metrics-event.schema.json');
writeFileSync(target, JSON.stringify(buildWireJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${target}\n`);
