import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRESTORE_JAR, FIRESTORE_MAIN_CLASS, PUBSUB_EMULATOR, REPO, type Prerequisites } from './prerequisites';

const SUPERVISOR = join(__dirname, 'tree-supervisor.ts');
/** How long firebase-tools gets to shut its emulators down cleanly before everything left is killed. */
const STOP_GRACE_MS = 15_000;
const EMULATORS = ['hub', 'logging', 'functions', 'pubsub', 'firestore', 'firestoreWebsocket', 'eventarc', 'tasks'] as const;
type Ports = Record<(typeof EMULATORS)[number], number>;

/** Variables of the caller that must not leak into the suite: it runs its own emulators and its own configuration. */
const INHERITED_BUT_NOT_WANTED = /^(PUBSUB_EMULATOR_HOST|FIRESTORE_EMULATOR_HOST|FIREBASE_AUTH_EMULATOR_HOST|GOOGLE_APPLICATION_CREDENTIALS|GOOGLE_CLOUD_PROJECT|GCLOUD_PROJECT|OBS_.*|OBSERVABILITY_PROVIDER|METRICS_TOPIC|INTERNAL_HEALTH_API_KEY|SLACK_.*|PAGERDUTY_.*|SMTP_URL|OPS_EMAIL|FINANCE_EMAIL|PORT)$/;

export interface SuiteOptions {
  readonly prerequisites: Prerequisites;
  readonly projectId: string;
  /** Plain parameters, written to the functions' `.env.local` (the emulator's own .env file). */
  readonly env: Readonly<Record<string, string>>;
  /** Values of the `defineSecret` secrets, written to `.secret.local` (the emulator reads them instead of Secret Manager). */
  readonly secrets: Readonly<Record<string, string>>;
  readonly startTimeoutMs: number;
}

export interface RunningSuite {
  /** The temporary project folder (firebase.json, the functions source, logs); the caller removes it after reading what it needs. */
  readonly dir: string;
  readonly projectId: string;
  readonly pubsubHost: string;
  /** The emulated URL of an HTTP function, as `firebase emulators:start` prints it. */
  functionUrl(name: string, path?: string): string;
  /** Everything the suite printed so far. */
  output(): string;
  /** Ends the whole process tree (tree-supervisor.ts): a clean shutdown, then SIGKILL for anything left. */
  stop(): Promise<void>;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

const dotenv = (values: Readonly<Record<string, string>>) => Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n';

/**
 * firebase-tools runs the Firestore emulator as `java -jar <FIRESTORE_EMULATOR_BINARY_PATH>`, but
 * the Cloud SDK's jar has no Main-Class (the SDK starts it with a script). A jar holding only a
 * manifest that names the class and puts the SDK's jar on its class path bridges the two.
 */
function firestoreLauncherJar(dir: string, jarTool: string): string {
  const manifest = join(dir, 'firestore-manifest.txt');
  writeFileSync(manifest, `Manifest-Version: 1.0\nMain-Class: ${FIRESTORE_MAIN_CLASS}\nClass-Path: file:${FIRESTORE_JAR}\n`);
  const jar = join(dir, 'firestore-launcher.jar');
  const made = spawnSync(jarTool, ['cfm', jar, manifest], { encoding: 'utf8', timeout: 30_000 });
  if (made.status !== 0) throw new Error(`could not build the Firestore launcher jar with ${jarTool}: ${made.stderr}`);
  return jar;
}

/** A temporary Firebase project whose functions source is this repository's build (lib/ and node_modules linked, package.json copied). */
function writeProject(dir: string, options: SuiteOptions, ports: Ports): void {
  const app = join(dir, 'app');
  mkdirSync(app);
  copyFileSync(join(REPO, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(REPO, 'lib'), join(app, 'lib'));
  symlinkSync(join(REPO, 'node_modules'), join(app, 'node_modules'));
  writeFileSync(join(app, '.env.local'), dotenv(options.env));
  writeFileSync(join(app, '.secret.local'), dotenv(options.secrets));
  const at = (port: number) => ({ host: '127.0.0.1', port });
  const config = {
    functions: [{ source: 'app', codebase: 'observability', runtime: 'nodejs22' }],
    emulators: {
      hub: at(ports.hub),
      logging: at(ports.logging),
      functions: at(ports.functions),
      pubsub: at(ports.pubsub),
      firestore: { ...at(ports.firestore), websocketPort: ports.firestoreWebsocket },
      eventarc: at(ports.eventarc),
      tasks: at(ports.tasks),
      ui: { enabled: false },
    },
  };
  writeFileSync(join(dir, 'firebase.json'), JSON.stringify(config, null, 2));
  // firebase-tools' settings: the message-of-the-day fetch counts as done today, usage reporting off.
  mkdirSync(join(dir, 'home', '.config', 'configstore'), { recursive: true });
  writeFileSync(join(dir, 'home', '.config', 'configstore', 'firebase-tools.json'), JSON.stringify({ motd: { fetched: Date.now() }, usage: false }));
  mkdirSync(join(dir, 'tmp'));
}

function suiteEnv(dir: string, options: SuiteOptions, launcherJar: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!INHERITED_BUT_NOT_WANTED.test(k)) env[k] = v;
  return {
    ...env,
    PATH: `${options.prerequisites.javaBinDir}:${process.env.PATH ?? ''}`,
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: join(dir, 'home', '.config'),
    TMPDIR: join(dir, 'tmp'),
    // No network: no update check, no usage reporting, no GCE metadata probe, no emulator downloads.
    CI: 'true',
    NO_UPDATE_NOTIFIER: '1',
    METADATA_SERVER_DETECTION: 'none',
    PUBSUB_EMULATOR_BINARY_PATH: PUBSUB_EMULATOR,
    FIRESTORE_EMULATOR_BINARY_PATH: launcherJar,
    GOOGLE_CLOUD_PROJECT: options.projectId,
  };
}

/**
 * Starts `firebase emulators:start --only functions,pubsub,firestore` under tree-supervisor.ts
 * and resolves once it prints "All emulators ready". Rejects (after ending the tree) if it exits
 * or is not ready within `startTimeoutMs`, with the end of its output.
 */
export async function startSuite(options: SuiteOptions): Promise<RunningSuite> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-e2e-'));
  const [hub, logging, functions, pubsub, firestore, firestoreWebsocket, eventarc, tasks] = await freePorts(EMULATORS.length);
  const ports: Ports = { hub: hub!, logging: logging!, functions: functions!, pubsub: pubsub!, firestore: firestore!, firestoreWebsocket: firestoreWebsocket!, eventarc: eventarc!, tasks: tasks! };
  writeProject(dir, options, ports);
  const launcherJar = firestoreLauncherJar(dir, options.prerequisites.jar);
  const firebase = [options.prerequisites.firebaseCli, 'emulators:start', '--only', 'functions,pubsub,firestore', '--project', options.projectId, '--non-interactive'];
  // The supervisor ends the whole tree on `stop`, or by itself when this process goes away.
  const child = spawn(process.execPath, ['--import', 'tsx', SUPERVISOR, String(STOP_GRACE_MS), dir, process.execPath, ...firebase], {
    cwd: REPO,
    env: suiteEnv(dir, options, launcherJar),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => undefined); // the supervisor already gone: nothing left to tell it
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let exitedEarly = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (exitedEarly = true));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (!exitedEarly) child.stdin.end('stop\n');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_GRACE_MS + 10_000).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') child.kill('SIGKILL');
      await exited;
    })());

  const deadline = Date.now() + options.startTimeoutMs;
  while (!output.includes('All emulators ready')) {
    if (exitedEarly || Date.now() > deadline) {
      await stop();
      rmSync(dir, { recursive: true, force: true });
      const why = exitedEarly ? 'exited' : `was not ready within ${options.startTimeoutMs} ms`;
      throw new Error(`firebase emulators:start ${why}; the end of its output:\n${output.slice(-4_000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    dir,
    projectId: options.projectId,
    pubsubHost: `127.0.0.1:${ports.pubsub}`,
    functionUrl: (name, path = '') => `http://127.0.0.1:${ports.functions}/${options.projectId}/us-central1/${name}${path}`,
    output: () => output,
    stop,
  };
}
