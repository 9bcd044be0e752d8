import { summarisePipeline, type PipelineSeriesRow } from '../../../dashboard/pipeline-card';

const row = (name: string, exporter: string, total: number, lastValue: number | null = null): PipelineSeriesRow => ({
  name: `infra.pipeline.export.${name}`,
  kind: name === 'lag_ms' ? 'gauge' : 'count',
  tags: JSON.stringify({ exporter }),
  total,
  events: 1,
  max_value: lastValue,
  newest_mean: lastValue,
  last_value: lastValue,
  last_ms: 0,
});

describe('the dashboard\'s Pipeline card: exports (infra.pipeline.export.*)', () => {
  it('shows per exporter the minutes sent in the hour, the newest lag, dead letters and failed runs', () => {
    const card = summarisePipeline(
      [row('minutes.count', 'gcp', 58), row('lag_ms', 'gcp', 0, 95_000), row('minutes.count', 'datadog', 40), row('dead_letter.count', 'datadog', 2), row('failure.count', 'datadog', 3), row('lag_ms', 'datadog', 0, 900_000)],
      null,
      0,
    );
    expect(card.exports).toEqual([
      { exporter: 'datadog', minutes: 40, lagMs: 900_000, deadLetters: 2, failures: 3 },
      { exporter: 'gcp', minutes: 58, lagMs: 95_000, deadLetters: 0, failures: 0 },
    ]);
  });

  it('is empty when no exporter reported', () => {
    expect(summarisePipeline([], null, 0).exports).toEqual([]);
  });
});
