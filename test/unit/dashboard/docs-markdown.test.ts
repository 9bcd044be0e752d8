import { headingSlug, renderMarkdown, renderMarkdownPage } from '../../../cli/local/docs-markdown';
import { createDocsRoute } from '../../../cli/local/docs-route';
import type { HttpRequest } from '../../../http/http';

const get = (path: string, accept: string | undefined, query: Record<string, string> = {}): HttpRequest => ({ method: 'GET', path, headers: accept ? { accept } : {}, query });

describe('the docs renderer (cli/local/docs-markdown.ts)', () => {
  it.each([
    ['runbook-wallet-spend-failures-critical', 'runbook-wallet-spend-failures-critical'],
    ['Runbooks', 'runbooks'],
    ["Dead man's switch", 'dead-mans-switch'],
    ['`obs doctor`', 'obs-doctor'],
  ])('gives the heading %s the GitHub anchor %s', (text, slug) => {
    expect(headingSlug(text.replace(/`/g, ''))).toBe(slug);
  });

  it('gives every runbook heading the id the rules link to', () => {
    expect(renderMarkdown('### runbook-wallet-spend-failures-critical\n\nCheck the wallet.')).toContain('<h3 id="runbook-wallet-spend-failures-critical">');
  });

  it('escapes raw HTML and refuses script links', () => {
    const html = renderMarkdown('<script>alert(1)</script> and [x](javascript:alert(1)) and `<b>` and [ok](OPERATIONS.md#runbooks)\n\n```\n<img src=x onerror=alert(1)>\n```');
    expect(html).not.toMatch(/<script|<img|<b>|javascript:/);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<a href="OPERATIONS.md#runbooks">ok</a>');
  });

  it('renders lists, tables, code and emphasis', () => {
    const html = renderMarkdown('- one **bold**\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n`code`');
    expect(html).toContain('<ul><li>one <strong>bold</strong></li><li>two</li></ul>');
    expect(html).toContain('<td>1</td><td>2</td>');
    expect(html).toContain('<code>code</code>');
  });

  it('escapes the page title', () => {
    expect(renderMarkdownPage('<x>', '')).toContain('<title>&lt;x&gt;</title>');
  });
});

describe('GET /docs/<NAME>.md', () => {
  const route = createDocsRoute();

  it('answers a browser with the rendered document, the runbook anchors present', () => {
    const response = route(get('/docs/OPERATIONS.md', 'text/html,application/xhtml+xml,*/*;q=0.8'))!;
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('id="runbook-wallet-spend-failures-critical"');
    expect(response.body).toContain('id="runbooks"');
  });

  it.each([
    ['curl (Accept: */*)', '*/*', {}],
    ['no Accept header', undefined, {}],
    ['a browser asking for ?raw', 'text/html', { raw: '' }],
  ])('answers %s with the Markdown as before', (_label, accept, query) => {
    const response = route(get('/docs/OPERATIONS.md', accept, query))!;
    expect(response.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(response.body).toMatch(/^# Operations/);
  });
});
