import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { classifyPubSubError } from '../../../emitter/transports/pubsub-transport';

describe('the Pub/Sub transport', () => {
  it.each([
    [14, 'UNAVAILABLE', true],
    [4, 'DEADLINE_EXCEEDED', true],
    [5, 'NOT_FOUND (the topic vanished with an emulator restart)', true],
    [8, 'RESOURCE_EXHAUSTED', true],
    [3, 'INVALID_ARGUMENT', false],
    [7, 'PERMISSION_DENIED', false],
    [16, 'UNAUTHENTICATED', false],
  ])('gRPC code %i (%s) is retryable: %s', (code, _name, retryable) => {
    expect(classifyPubSubError(Object.assign(new Error('x'), { code })).retryable).toBe(retryable);
  });

  it('an error without a gRPC code (e.g. a socket error) is retryable, and the cause is kept', () => {
    const cause = new Error('socket hang up');
    const error = classifyPubSubError(cause);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('socket hang up');
  });

  it('the Pub/Sub SDK is not loaded by none or memory users, only at the first pubsub publish', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'lazy-load.ts')], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
    });
    expect(result.stderr).not.toMatch(/Error/);
    expect(JSON.parse(result.stdout)).toEqual({ none: false, memory: false, pubsubBeforePublish: false, pubsubAfterPublish: true });
  });
});
