import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Prerequisite } from './ci-gate';

/**
 * The GoogleSQL (ZetaSQL) analyzer — BigQuery's SQL front end — as a local gRPC server: the
 * `remote_server` binary that npm `@fivetrandevelopers/zetasql` (a devDependency) ships, started on
 * 127.0.0.1 on a free port and spoken to with the package's own protos (`local_service.proto`).
 *
 * We spawn the binary ourselves rather than use the package's `runServer`/`ZetaSQLClient`: those
 * bind `localhost`, keep one process and one client in module globals, and give no way to wait for
 * the server or to see it die.
 *
 * Test-only: the package is a devDependency, so nothing under sql/ or app/ may import this.
 */
function packageDir(): string | undefined {
  try {
    return join(dirname(require.resolve('@fivetrandevelopers/zetasql/package.json')), 'lib', 'zetasql');
  } catch {
    return undefined;
  }
}

/** The binary for this platform, named as the package's own `runServer` names it. */
function binaryName(): string {
  return `remote_server${process.arch.startsWith('arm') ? '_arm' : ''}${process.platform === 'darwin' ? '' : '.so'}`;
}

export function zetasqlPrerequisite(): Prerequisite {
  const inCi = 'npm ci must install the devDependency @fivetrandevelopers/zetasql (the analyzer binary ships in the package)';
  const dir = packageDir();
  if (dir === undefined) return { missing: 'the npm package @fivetrandevelopers/zetasql is not installed', inCi };
  const binary = join(dir, binaryName());
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    return { missing: `the ZetaSQL analyzer binary ${binary} is missing or not executable (${process.platform}/${process.arch})`, inCi };
  }
  return { missing: undefined, inCi };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

type Callback = (error: grpc.ServiceError | null, response: unknown) => void;
type LocalService = grpc.Client & Record<string, (request: unknown, callback: Callback) => void>;

export interface ZetaSqlServer {
  /** Calls one RPC of ZetaSqlLocalService (`analyze`, `registerCatalog`, …); rejects with the server's status. */
  call<T>(method: string, request: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Waits for the server's "Server listening" line; rejects when it exits first or takes more than `timeoutMs`. */
function listening(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`the ZetaSQL analyzer did not start within ${timeoutMs} ms: ${output}`)), timeoutMs);
    // Kept reading after start-up too, so a chatty server never blocks on a full pipe.
    const onData = (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString();
      if (output.includes('Server listening')) {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ZetaSQL analyzer exited (${code ?? signal}) before listening: ${output}`));
    });
  });
}

/** Starts the analyzer on 127.0.0.1 (a free port; another one if that port was taken meanwhile). */
export async function startZetaSqlServer(): Promise<ZetaSqlServer> {
  const dir = packageDir();
  if (dir === undefined) throw new Error('@fivetrandevelopers/zetasql is not installed');
  const definition = protoLoader.loadSync('local_service.proto', { includeDirs: [join(dir, 'protos')], enums: String, longs: String, oneofs: true });
  const proto = grpc.loadPackageDefinition(definition) as unknown as { zetasql: { local_service: { ZetaSqlLocalService: new (address: string, credentials: grpc.ChannelCredentials, options: object) => LocalService } } };
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(join(dir, binaryName()), ['127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await listening(child, 60_000);
    } catch (error) {
      child.kill('SIGKILL');
      if (attempt < 3) continue;
      throw error;
    }
    const size = 64 * 1024 * 1024; // resolved ASTs of large statements are big
    const client = new proto.zetasql.local_service.ZetaSqlLocalService(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': size,
      'grpc.max_receive_message_length': size,
    });
    return {
      call: <T>(method: string, request: unknown) =>
        new Promise<T>((resolve, reject) => {
          const rpc = client[method];
          if (typeof rpc !== 'function') return reject(new Error(`ZetaSqlLocalService has no method ${method}`));
          rpc.call(client, request, (error, response) => (error ? reject(error) : resolve(response as T)));
        }),
      stop: () =>
        new Promise<void>((resolve) => {
          client.close();
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    };
  }
}
