import { connect } from 'node:net';
import { firestoreProbe, pubsubTopicProbe } from '../../health/component-probes';
import type { ObservabilityConfig } from '../../shared/config';
import { messageOf, probeCheck, type CheckResult } from './check';

/** How long a TCP connect to an emulator may take before doctor calls it unreachable. */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * Resolves to undefined when something accepts a TCP connection on `host:port`, else to why not.
 * Asked before an emulator's client is made: a gRPC client aimed at a closed port retries for
 * minutes (and keeps the process alive), where doctor must answer in seconds.
 */
export function tcpReachable(hostPort: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<string | undefined> {
  const at = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, at);
  const port = Number(hostPort.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | undefined) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error) => done(error.message));
  });
}

/** Pub/Sub (or its emulator) has the metrics topic: health's pubsubTopicProbe, after a TCP check of the emulator. */
export async function pubsubCheck(config: ObservabilityConfig, clock: () => number): Promise<CheckResult> {
  const name = 'pubsub';
  if (config.provider !== 'pubsub' && !config.pubsubEmulatorHost) {
    return { name, status: 'skip', detail: 'OBSERVABILITY_PROVIDER=none and no PUBSUB_EMULATOR_HOST: events do not go through Pub/Sub' };
  }
  if (config.pubsubEmulatorHost) {
    const why = await tcpReachable(config.pubsubEmulatorHost);
    if (why) return { name, status: 'fail', detail: `Pub/Sub emulator at PUBSUB_EMULATOR_HOST=${config.pubsubEmulatorHost} unreachable: ${why}` };
  }
  const check = await probeCheck(name, pubsubTopicProbe(config), clock);
  const where = config.pubsubEmulatorHost ? `emulator ${config.pubsubEmulatorHost}` : `project ${config.projectId ?? '(default credentials)'}`;
  return { ...check, detail: `${check.detail} (${where})` };
}

/**
 * Firestore answers a write and a read (health's firestoreProbe). Configured = FIRESTORE_EMULATOR_HOST
 * is set, or the environment is production (where alert state lives in Firestore); otherwise skipped.
 */
export async function firestoreCheck(config: ObservabilityConfig, clock: () => number): Promise<CheckResult> {
  const name = 'firestore';
  if (!config.firestoreEmulatorHost && config.environment !== 'production') {
    return { name, status: 'skip', detail: 'not configured: alert state is in the warehouse (set FIRESTORE_EMULATOR_HOST to use the emulator)' };
  }
  if (config.firestoreEmulatorHost) {
    const why = await tcpReachable(config.firestoreEmulatorHost);
    if (why) return { name, status: 'fail', detail: `Firestore emulator at FIRESTORE_EMULATOR_HOST=${config.firestoreEmulatorHost} unreachable: ${why}` };
  }
  // Loaded here, so a doctor run that skips Firestore never loads firebase-admin.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { deleteApp, initializeApp } = require('firebase-admin/app') as typeof import('firebase-admin/app');
  const { getFirestore } = require('firebase-admin/firestore') as typeof import('firebase-admin/firestore');
  /* eslint-enable @typescript-eslint/no-require-imports */
  let app: import('firebase-admin/app').App;
  try {
    app = initializeApp(config.projectId ? { projectId: config.projectId } : {}, `obs-doctor-${process.pid}-${clock()}`);
  } catch (error) {
    return { name, status: 'fail', detail: `could not start the Firestore client: ${messageOf(error)}` };
  }
  try {
    const db = getFirestore(app);
    const check = await probeCheck(name, firestoreProbe(db, clock), clock);
    const where = config.firestoreEmulatorHost ? `emulator ${config.firestoreEmulatorHost}` : `project ${config.projectId ?? '(default credentials)'}`;
    return { ...check, detail: `${check.detail} (${where})` };
  } finally {
    await deleteApp(app).catch(() => undefined);
  }
}
