import { resolveOptions } from '../../../emitter/options';

describe('OBSERVABILITY_PROVIDER for the emitter: the seed\'s provider names still publish to Pub/Sub', () => {
  it.each([
    ['datadog', 'pubsub'],
    ['gcp', 'pubsub'],
    ['prometheus', 'pubsub'],
    ['pubsub', 'pubsub'],
    ['none', 'none'],
    [undefined, 'none'],
  ])('OBSERVABILITY_PROVIDER=%s → the %s transport', (provider, transport) => {
    const env: Record<string, string> = { GOOGLE_CLOUD_PROJECT: 'obs-test' };
    if (provider !== undefined) env.OBSERVABILITY_PROVIDER = provider;
    expect(resolveOptions({ env }).transport).toBe(transport);
  });

  it('the exporters\' variables cannot stop the emitter (it reads only its own)', () => {
    expect(resolveOptions({ env: { OBSERVABILITY_PROVIDER: 'datadog', OBS_EXPORTERS: 'nonsense', DD_SITE: '://bad' } }).transport).toBe('pubsub');
  });
});
