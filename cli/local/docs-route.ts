import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GET_METHODS, methodNotAllowed, type HttpRequest, type HttpResponse } from '../../http/http';
import { renderMarkdownPage } from './docs-markdown';

/** docs/ beside the sources (tsx, jest) or beside lib/ (the built CLI). */
function docsDir(): string | undefined {
  return [join(__dirname, '..', '..', 'docs'), join(__dirname, '..', '..', '..', 'docs')].find((d) => existsSync(join(d, 'OPERATIONS.md')));
}

/** A browser asks for HTML; curl, fetch() and scripts (Accept: *\/* or none) get the Markdown as before. */
function wantsHtml(request: HttpRequest): boolean {
  return request.query.raw === undefined && (request.headers.accept ?? '').includes('text/html');
}

/** The rendered page renders only our own markup: no script, no outside resources. */
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
  vary: 'Accept',
};

/**
 * `GET /docs/<NAME>.md` on the local stack: the user docs, so the dashboard's and the alerts'
 * runbook links (`docs/OPERATIONS.md#runbook-…`) open locally. A browser (Accept: text/html) gets
 * the document rendered, with heading ids matching those anchors (cli/local/docs-markdown.ts), so
 * it opens at the rule's section; anything else, or `?raw`, gets the Markdown as plain text. Only
 * the files present in docs/ at start-up are served, read once; nothing else on disk is reachable.
 */
export function createDocsRoute(): (request: HttpRequest) => HttpResponse | undefined {
  const dir = docsDir();
  const files = new Map<string, string>();
  const pages = new Map<string, string>();
  if (dir) for (const name of readdirSync(dir)) if (/^[A-Z_]+\.md$/.test(name)) files.set(`/docs/${name}`, readFileSync(join(dir, name), 'utf8'));
  /** Rendered on first request, then kept: the docs are read once too. */
  const page = (path: string, markdown: string) => {
    let html = pages.get(path);
    if (html === undefined) pages.set(path, (html = renderMarkdownPage(`${path.slice('/docs/'.length)} · Avalo observability`, markdown)));
    return html;
  };
  return (request): HttpResponse | undefined => {
    if (!request.path.startsWith('/docs/')) return undefined;
    const body = files.get(request.path);
    if (body !== undefined && request.method !== 'GET') return methodNotAllowed(GET_METHODS);
    if (body === undefined) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `no such document; available: ${[...files.keys()].join(', ')}\n` };
    if (wantsHtml(request)) return { status: 200, headers: HTML_HEADERS, body: page(request.path, body) };
    return { status: 200, headers: { vary: 'Accept', 'content-type': 'text/markdown; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }, body };
  };
}
