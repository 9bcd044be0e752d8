import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root (functions source: package.json `main` is lib/index.js). */
export const REPO = join(__dirname, '..', '..', '..');

/** Google's emulators from the Cloud SDK (ARCHITECTURE.md, "Machine facts"). */
export const PUBSUB_EMULATOR = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';
export const FIRESTORE_JAR = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';
/** The jar has no Main-Class; this is the class the SDK's own launcher runs. */
export const FIRESTORE_MAIN_CLASS = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore';
/** firebase-tools 15 refuses to start Java emulators on an older JVM. */
export const MIN_JAVA_MAJOR = 21;

export interface Prerequisites {
  /** firebase-tools' CLI entry (run with this Node). */
  readonly firebaseCli: string;
  /** A directory holding `java` ≥ 21 and `jar`, put first on the emulators' PATH. */
  readonly javaBinDir: string;
  readonly jar: string;
}

function javaMajor(java: string): number | undefined {
  const run = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${run.stderr ?? ''}${run.stdout ?? ''}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major; // "1.8.0" is Java 8
}

function onPath(command: string): string | undefined {
  const run = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = run.stdout.trim();
  return run.status === 0 && found ? found : undefined;
}

/** JAVA_HOME, then `java` on PATH, then every JDK under /usr/lib/jvm: the first ≥ 21 that has `jar` beside it (or on PATH). */
function findJava(): { javaBinDir: string; jar: string } | string {
  const candidates: string[] = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  const pathJava = onPath('java');
  if (pathJava) candidates.push(pathJava);
  if (existsSync('/usr/lib/jvm')) for (const dir of readdirSync('/usr/lib/jvm').sort().reverse()) candidates.push(join('/usr/lib/jvm', dir, 'bin', 'java'));
  const seen: string[] = [];
  for (const java of candidates) {
    if (!existsSync(java)) continue;
    const major = javaMajor(java);
    seen.push(`${java} (${major ?? '?'})`);
    if (major === undefined || major < MIN_JAVA_MAJOR) continue;
    const jar = existsSync(join(dirname(java), 'jar')) ? join(dirname(java), 'jar') : onPath('jar');
    if (jar) return { javaBinDir: dirname(java), jar };
  }
  return `no Java ${MIN_JAVA_MAJOR}+ with the jar tool (firebase-tools 15 needs it); found: ${seen.join(', ') || 'none'}`;
}

/** What the test needs, or the list of what is missing. */
export function checkPrerequisites(): Prerequisites | { missing: string[] } {
  const missing: string[] = [];
  let firebaseCli = '';
  try {
    firebaseCli = join(dirname(require.resolve('firebase-tools/package.json', { paths: [REPO] })), 'lib', 'bin', 'firebase.js');
  } catch {
    missing.push('firebase-tools (npm ci installs it: a devDependency)');
  }
  if (!existsSync(PUBSUB_EMULATOR)) missing.push(`the Pub/Sub emulator at ${PUBSUB_EMULATOR}`);
  if (!existsSync(FIRESTORE_JAR)) missing.push(`the Firestore emulator at ${FIRESTORE_JAR}`);
  const java = findJava();
  if (typeof java === 'string') missing.push(java);
  return missing.length > 0 || typeof java === 'string' ? { missing } : { firebaseCli, ...java };
}

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.ts') ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtimeMs(join(path, entry))));
}

/**
 * The Functions emulator loads lib/index.js, as a deploy would: build it when it is missing or
 * older than a source it is compiled from (.ci/run builds before `npm test`, so CI never waits).
 */
export function ensureBuilt(): void {
  const main = join(REPO, 'lib', 'index.js');
  const sources = (JSON.parse(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include;
  const newestSource = Math.max(...sources.map((s) => (existsSync(join(REPO, s)) ? newestMtimeMs(join(REPO, s)) : 0)));
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource) return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  if (build.status !== 0) {
    throw new Error(`lib/ is missing or stale and \`npm run build\` failed (exit ${build.status}):\n${build.stdout}${build.stderr}`);
  }
}
