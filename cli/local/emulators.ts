import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where this project's machines install Google's emulators (ARCHITECTURE.md, machine facts). */
export const EMULATOR_BINARIES = {
  pubsub: '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator',
  firestore: '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator',
} as const;
export type EmulatorKind = keyof typeof EMULATOR_BINARIES;

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;

export interface RunningEmulator {
  readonly kind: EmulatorKind;
  /** `127.0.0.1:PORT`, the value for PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST. */
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Kills the emulator's whole process group (it forks a JVM) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function emulatorInstalled(kind: EmulatorKind): boolean {
  return existsSync(EMULATOR_BINARIES[kind]);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(port: number, child: ChildProcess, kind: EmulatorKind): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${kind} emulator exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  throw new Error(`${kind} emulator did not answer on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s`);
}

/**
 * Starts the installed emulator on 127.0.0.1 (a free port unless one is given) and resolves once
 * it answers HTTP. Throws when the binary is missing. The emulator runs in its own process group.
 */
export async function startEmulator(kind: EmulatorKind, options: { port?: number; projectId?: string } = {}): Promise<RunningEmulator> {
  const binary = EMULATOR_BINARIES[kind];
  if (!existsSync(binary)) throw new Error(`the ${kind} emulator is not installed at ${binary}`);
  const port = options.port ?? (await freePort());
  const args =
    kind === 'pubsub'
      ? [`--host=127.0.0.1`, `--port=${port}`]
      : ['start', '--host=127.0.0.1', `--port=${port}`];
  const child = spawn(binary, args, { detached: true, stdio: 'ignore', env: { ...process.env } });
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Whatever happens to this process, its emulator (a JVM in its own process group) dies with it.
  const killOnExit = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      return; // already gone
    }
    const killTimer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
    }, 5_000);
    await exited;
    clearTimeout(killTimer);
  };
  try {
    await waitReady(port, child, kind);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  return { kind, host: `127.0.0.1:${port}`, port, pid: child.pid as number, stop };
}
