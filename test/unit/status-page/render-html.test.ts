import { statusPageFrom, DEFAULT_IDENTITY } from '../../../status-page/build-status';
import { percent, renderStatusHtml } from '../../../status-page/render-html';
import { uptimeFromCounts, uptimeRange } from '../../../status-page/uptime';
import { moduleReadiness } from '../../../health/module-readiness';
import { incidentsOf, maintenanceWindow, NOW, publicIncident } from './fixture';

/** What people type reaches the page as text: maintenance titles and public incident updates. */
describe('the status page HTML', () => {
  const { fromMs, toMs } = uptimeRange(NOW);
  const page = async (title: string, body: string) => {
    const incident = { ...publicIncident('inc-x', 'wallet', false), title, updates: [{ at: new Date(NOW).toISOString(), status: 'identified', body }] };
    return renderStatusHtml(
      statusPageFrom({
        nowMs: NOW,
        identity: DEFAULT_IDENTITY,
        readiness: (m) => moduleReadiness(m, { nowMs: NOW, slos: [], alerts: [], moduleLastMetricMs: {}, alertsKnown: true }),
        alerts: [],
        uptime: uptimeFromCounts([], fromMs, toMs, () => ({ good: 0, total: 0 })),
        incidents: await incidentsOf([incident]).publicIncidents(0),
        occurrences: [maintenanceWindow('w', 'chat', NOW - 1, NOW + 60_000, title)],
        unavailable: [],
      }),
    );
  };

  it('escapes typed text: a title or update with markup shows as text, never as an element', async () => {
    const html = await page('<img src=x onerror="alert(1)"> & "quotes"', "<script>alert('x')</script>");
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
  });

  it('floors percentages to two decimals, so a day short of perfect never reads 100%', () => {
    expect(percent(0.99996)).toBe('99.99%');
    expect(percent(1)).toBe('100.00%');
    expect(percent(10_000 / 12_000)).toBe('83.33%');
    expect(percent(0)).toBe('0.00%');
    expect(percent(0.29)).toBe('29.00%');
    expect(percent(0.9999)).toBe('99.99%');
  });
});
